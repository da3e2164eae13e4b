package container

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// The parts of the Kubernetes API the examples use. Decoding rejects any
// other field, so a misspelt one fails here rather than in a cluster.
type (
	manifest struct {
		APIVersion string     `yaml:"apiVersion"`
		Kind       string     `yaml:"kind"`
		Metadata   objectMeta `yaml:"metadata"`
		Spec       yaml.Node  `yaml:"spec"` // decoded by kind
	}
	objectMeta struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels"`
	}
	deploymentSpec struct {
		Replicas int `yaml:"replicas"`
		Selector struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
		Template struct {
			Metadata objectMeta `yaml:"metadata"`
			Spec     podSpec    `yaml:"spec"`
		} `yaml:"template"`
	}
	podSpec struct {
		ShareProcessNamespace         bool            `yaml:"shareProcessNamespace"`
		TerminationGracePeriodSeconds int             `yaml:"terminationGracePeriodSeconds"`
		Volumes                       []volume        `yaml:"volumes"`
		InitContainers                []containerSpec `yaml:"initContainers"`
		Containers                    []containerSpec `yaml:"containers"`
	}
	volume struct {
		Name     string    `yaml:"name"`
		EmptyDir *struct{} `yaml:"emptyDir"`
	}
	containerSpec struct {
		Name         string   `yaml:"name"`
		Image        string   `yaml:"image"`
		Command      []string `yaml:"command"`
		Args         []string `yaml:"args"`
		VolumeMounts []struct {
			Name      string `yaml:"name"`
			MountPath string `yaml:"mountPath"`
			ReadOnly  bool   `yaml:"readOnly"`
		} `yaml:"volumeMounts"`
		Ports []struct {
			ContainerPort int `yaml:"containerPort"`
		} `yaml:"ports"`
		ReadinessProbe *struct {
			HTTPGet struct {
				Path string `yaml:"path"`
				Port int    `yaml:"port"`
			} `yaml:"httpGet"`
		} `yaml:"readinessProbe"`
	}
)

// strictDecode decodes one YAML document into v, refusing unknown fields.
func strictDecode(doc []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(doc))
	dec.KnownFields(true)
	return dec.Decode(v)
}

// kubernetesExamples reads every manifest under examples/kubernetes.
func kubernetesExamples(t *testing.T) map[string]manifest {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot, "examples/kubernetes/*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples/kubernetes/*.yaml (%v)", err)
	}
	out := map[string]manifest{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		var m manifest
		if err := dec.Decode(&m); err != nil || m.APIVersion == "" || m.Kind == "" || m.Metadata.Name == "" {
			t.Fatalf("%s: %v", filepath.Base(f), err)
		}
		var more manifest
		if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
			t.Fatalf("%s: one manifest per file, found more (%v)", filepath.Base(f), err)
		}
		out[filepath.Base(f)] = m
	}
	return out
}

// podSpecOf decodes the pod spec of a Pod or of a Deployment's template.
func podSpecOf(t *testing.T, file string, m manifest) podSpec {
	t.Helper()
	spec, err := yaml.Marshal(&m.Spec)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case m.APIVersion == "v1" && m.Kind == "Pod":
		var p podSpec
		if err := strictDecode(spec, &p); err != nil {
			t.Fatalf("%s: pod spec: %v", file, err)
		}
		return p
	case m.APIVersion == "apps/v1" && m.Kind == "Deployment":
		var d deploymentSpec
		if err := strictDecode(spec, &d); err != nil {
			t.Fatalf("%s: deployment spec: %v", file, err)
		}
		for k, v := range d.Selector.MatchLabels {
			if d.Template.Metadata.Labels[k] != v {
				t.Errorf("%s: the selector %s=%s does not match the template's labels %v", file, k, v, d.Template.Metadata.Labels)
			}
		}
		return d.Template.Spec
	}
	t.Fatalf("%s: unexpected %s %s", file, m.APIVersion, m.Kind)
	return podSpec{}
}

// goinitOptions returns the options a container gives goinit: its command
// must be goinit (/sbin/goinit, or goinit in a volume it mounts), options,
// then "--".
func goinitOptions(t *testing.T, file string, c containerSpec) []string {
	t.Helper()
	if len(c.Command) < 2 || filepath.Base(c.Command[0]) != "goinit" || c.Command[len(c.Command)-1] != "--" {
		t.Fatalf("%s: container %s runs %q, want goinit [OPTIONS] --", file, c.Name, c.Command)
	}
	if len(c.Args) == 0 {
		t.Errorf("%s: container %s gives goinit no command", file, c.Name)
	}
	return c.Command[1 : len(c.Command)-1]
}

// optionDuration is the value of --name=DURATION in opts, or 0.
func optionDuration(t *testing.T, opts []string, name string) time.Duration {
	for _, o := range opts {
		if v, ok := strings.CutPrefix(o, "--"+name+"="); ok {
			d, err := time.ParseDuration(v)
			if err != nil {
				t.Fatalf("--%s=%s: %v", name, v, err)
			}
			return d
		}
	}
	return 0
}

func TestKubernetesExamplesRunGoinitWithOptionsItAccepts(t *testing.T) {
	for file, m := range kubernetesExamples(t) {
		pod := podSpecOf(t, file, m)
		if len(pod.Containers) == 0 {
			t.Errorf("%s: no containers", file)
		}
		for _, c := range pod.Containers {
			opts := goinitOptions(t, file, c)
			// The real binary takes the options (a usage error exits 2).
			cmd := exec.Command(goinitBin, append(opts, "--", "true")...)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s: container %s: goinit %q: %v %s", file, c.Name, opts, err, out)
			}
			// The kubelet's SIGKILL comes terminationGracePeriodSeconds after
			// the first SIGTERM: the stop delay and the drain must fit in it,
			// with time left for the command's own shutdown.
			budget := time.Duration(pod.TerminationGracePeriodSeconds) * time.Second
			if budget == 0 {
				budget = 30 * time.Second // Kubernetes' default
			}
			grace := 5 * time.Second // goinit's default
			if d := optionDuration(t, opts, "grace"); d > 0 {
				grace = d
			}
			if used := optionDuration(t, opts, "stop-delay") + grace; used >= budget {
				t.Errorf("%s: container %s: stop delay and grace take %v of terminationGracePeriodSeconds' %v, leaving the command nothing",
					file, c.Name, used, budget)
			}
		}
	}
}

func TestKubernetesSharedPIDExampleSharesTheNamespace(t *testing.T) {
	const file = "shared-pid-pod.yaml"
	m, ok := kubernetesExamples(t)[file]
	if !ok {
		t.Fatalf("no examples/kubernetes/%s", file)
	}
	if pod := podSpecOf(t, file, m); !pod.ShareProcessNamespace {
		t.Errorf("%s does not set shareProcessNamespace: true", file)
	}
}

func TestKubernetesInjectedGoinitExampleRunsTheCopyTheInitContainerMade(t *testing.T) {
	const file = "injected-goinit-pod.yaml"
	m, ok := kubernetesExamples(t)[file]
	if !ok {
		t.Fatalf("no examples/kubernetes/%s", file)
	}
	pod := podSpecOf(t, file, m)
	if len(pod.Volumes) != 1 || pod.Volumes[0].EmptyDir == nil || len(pod.InitContainers) != 1 || len(pod.Containers) != 1 {
		t.Fatalf("%s: want one emptyDir volume, one init container and one container", file)
	}
	volume := pod.Volumes[0].Name
	mountOf := func(c containerSpec) string {
		for _, vm := range c.VolumeMounts {
			if vm.Name == volume {
				return vm.MountPath
			}
		}
		t.Fatalf("%s: container %s does not mount the volume %s", file, c.Name, volume)
		return ""
	}
	copier, app := pod.InitContainers[0], pod.Containers[0]
	copied := filepath.Join(mountOf(copier), "goinit")
	if want := []string{"cp", "/sbin/goinit", copied}; !slices.Equal(copier.Command, want) {
		t.Errorf("%s: the init container runs %q, want %q", file, copier.Command, want)
	}
	if runs := filepath.Join(mountOf(app), "goinit"); app.Command[0] != runs {
		t.Errorf("%s: the app runs %s, want the copy in its mount of the volume, %s", file, app.Command[0], runs)
	}
}
