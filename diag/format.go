package diag

import "strconv"

// appendf appends format to b with its verbs replaced by args, in order:
// %s and %v (a string, an error, anything with a String method, an
// integer), %d (an integer), %q (a string, quoted as Go quotes it) and %%.
// goinit's messages need no more, and fmt would bring reflect and 150 KB of
// code into goinit. A verb without an argument, or one with an argument of
// a kind it cannot show, shows as %!verb, so a bad call is visible, as fmt
// makes it.
func appendf(b []byte, format string, args []any) []byte {
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			b = append(b, c)
			continue
		}
		i++
		verb := format[i]
		if verb == '%' {
			b = append(b, '%')
			continue
		}
		if len(args) == 0 {
			b = append(b, '%', '!', verb)
			continue
		}
		arg := args[0]
		args = args[1:]
		s, ok := text(arg)
		switch {
		case !ok:
			b = append(b, '%', '!', verb)
		case verb == 'q':
			b = strconv.AppendQuote(b, s)
		case verb == 'd' && !isInteger(arg):
			b = append(b, '%', '!', verb)
		default:
			b = append(b, s...)
		}
	}
	return b
}

// text is how %s and %v show arg.
func text(arg any) (string, bool) {
	switch v := arg.(type) {
	case nil:
		return "<nil>", true
	case string:
		return v, true
	case error:
		return v.Error(), true
	case interface{ String() string }:
		return v.String(), true
	case int:
		return strconv.Itoa(v), true
	case int32:
		return strconv.FormatInt(int64(v), 10), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case uint32:
		return strconv.FormatUint(uint64(v), 10), true
	case uint64:
		return strconv.FormatUint(v, 10), true
	}
	return "", false
}

func isInteger(arg any) bool {
	switch arg.(type) {
	case int, int32, int64, uint32, uint64:
		return true
	}
	return false
}
