package main

import (
	"errors"
	"strconv"
	"strings"
)

// goinit reads its command line itself, the way getopt_long does (which is
// what tini and dumb-init use): short options cluster (-vvv, -cw), a short
// option's value is the rest of its word or the next word (-e143, -e 143),
// a long option's value follows '=' or is the next word (--grace=5s,
// --grace 5s), and options end at "--" or at the first word that is not an
// option. A flag library would do the same, but the one the design card
// names (pflag) links net and encoding/csv into the binary: 250 KB of
// goinit's 2 MB, and their initialisers in every start-up, for fourteen
// options.

// kind says how an option takes its value.
type kind int

const (
	flagOption  kind = iota // no value; --name=BOOL also works
	countOption             // -v: each use adds one; --verbose=N sets the level
	valueOption             // needs a value
)

// spec is one of goinit's options.
type spec struct {
	long  string
	short byte // 0: none
	kind  kind
	set   func(cl *commandLine, value string) error
}

// specs are goinit's options; see usage.
var specs = []spec{
	{"single-child", 'c', flagOption, func(cl *commandLine, v string) error { return setBool(&cl.singleChild, v) }},
	{"process-group", 'g', flagOption, func(cl *commandLine, v string) error { return setBool(&cl.processGroup, v) }},
	{"rewrite", 'r', valueOption, func(cl *commandLine, v string) error { return (*rewrites)(&cl.opts.rewrite).Set(v) }},
	{"remap-exit", 'e', valueOption, func(cl *commandLine, v string) error { return (*exitCodes)(&cl.opts.remapExit).Set(v) }},
	{"subreaper", 's', flagOption, func(cl *commandLine, v string) error { return setBool(&cl.opts.subreaper, v) }},
	{"warn-on-reap", 'w', flagOption, func(cl *commandLine, v string) error { return setBool(&cl.opts.warnOnReap, v) }},
	{"grace", 0, valueOption, func(cl *commandLine, v string) error { return (*duration)(&cl.opts.grace).Set(v) }},
	{"wait-all", 0, flagOption, func(cl *commandLine, v string) error { return setBool(&cl.opts.waitAll, v) }},
	{"stop-delay", 0, valueOption, func(cl *commandLine, v string) error { return (*duration)(&cl.opts.stopDelay).Set(v) }},
	{"pdeathsig", 'p', valueOption, func(cl *commandLine, v string) error { return (*deathSignal)(&cl.opts.pdeathsig).Set(v) }},
	{"verbose", 'v', countOption, func(cl *commandLine, v string) error { return (*verbosity)(&cl.opts.verbosity).Set(v) }},
	{"help", 'h', flagOption, func(cl *commandLine, v string) error { return setBool(&cl.opts.help, v) }},
	{"version", 'V', flagOption, func(cl *commandLine, v string) error { return setBool(&cl.opts.version, v) }},
	{"license", 'l', flagOption, func(cl *commandLine, v string) error { return setBool(&cl.opts.license, v) }},
}

// commandLine collects the options as the command line gives them.
type commandLine struct {
	opts options
	// The target options are decided as a whole by chooseTarget.
	singleChild, processGroup bool
	givenSpecs                uint32 // bit i: specs[i] was on the command line
}

// given reports whether the command line set the option with this long name.
func (cl *commandLine) given(long string) bool {
	for i := range specs {
		if specs[i].long == long {
			return cl.givenSpecs&(1<<i) != 0
		}
	}
	return false
}

// parse reads the options in args and returns the words after them: the
// command and its arguments.
func (cl *commandLine) parse(args []string) ([]string, error) {
	for len(args) > 0 {
		word := args[0]
		switch {
		case word == "--":
			return args[1:], nil
		case strings.HasPrefix(word, "--"):
			var err error
			if args, err = cl.parseLong(args); err != nil {
				return nil, err
			}
		case len(word) > 1 && word[0] == '-':
			var err error
			if args, err = cl.parseShort(args); err != nil {
				return nil, err
			}
		default:
			return args, nil
		}
	}
	return nil, nil
}

// parseLong reads the --name or --name=value in args[0], and the value
// from args[1] when the option needs one and has no '='.
func (cl *commandLine) parseLong(args []string) ([]string, error) {
	name, value, hasValue := strings.Cut(args[0][2:], "=")
	i := specIndex(func(s *spec) bool { return s.long == name })
	if i < 0 {
		return nil, errors.New("unknown option --" + name)
	}
	args = args[1:]
	switch s := &specs[i]; {
	case hasValue:
	case s.kind == flagOption:
		value = "true"
	case s.kind == countOption:
		value = "+1"
	case len(args) == 0:
		return nil, errors.New("option --" + name + " needs a value")
	default:
		value, args = args[0], args[1:]
	}
	return args, cl.set(i, value)
}

// parseShort reads the cluster of short options in args[0], and the value
// from args[1] when its last option needs one.
func (cl *commandLine) parseShort(args []string) ([]string, error) {
	cluster := args[0]
	args = args[1:]
	for j := 1; j < len(cluster); j++ {
		c := cluster[j]
		i := specIndex(func(s *spec) bool { return s.short == c })
		if i < 0 {
			return nil, errors.New("unknown option " + strconv.QuoteRune(rune(c)) + " in " + cluster)
		}
		switch specs[i].kind {
		case flagOption:
			if err := cl.set(i, "true"); err != nil {
				return nil, err
			}
		case countOption:
			if err := cl.set(i, "+1"); err != nil {
				return nil, err
			}
		case valueOption:
			value := strings.TrimPrefix(cluster[j+1:], "=")
			if j+1 == len(cluster) {
				if len(args) == 0 {
					return nil, errors.New("option -" + string(c) + " needs a value")
				}
				value, args = args[0], args[1:]
			}
			return args, cl.set(i, value)
		}
	}
	return args, nil
}

// set gives specs[i] its value and records that the command line set it.
func (cl *commandLine) set(i int, value string) error {
	cl.givenSpecs |= 1 << i
	if err := specs[i].set(cl, value); err != nil {
		return errors.New("invalid value " + strconv.Quote(value) + " for " + specs[i].display() + ": " + err.Error())
	}
	return nil
}

// display names the option as the help does: "-e/--remap-exit" or "--grace".
func (s *spec) display() string {
	if s.short == 0 {
		return "--" + s.long
	}
	return "-" + string(s.short) + "/--" + s.long
}

func specIndex(match func(*spec) bool) int {
	for i := range specs {
		if match(&specs[i]) {
			return i
		}
	}
	return -1
}

// lookupLong returns the spec of the option with this long name, which
// must exist.
func lookupLong(long string) *spec {
	return &specs[specIndex(func(s *spec) bool { return s.long == long })]
}

// setBool reads a flag's value: as strconv.ParseBool does (1, t, true, 0,
// f, false...).
func setBool(b *bool, v string) error {
	value, err := strconv.ParseBool(v)
	if err != nil {
		return errors.New("want true or false")
	}
	*b = value
	return nil
}
