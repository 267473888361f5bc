// Command pulumi-language-python is the Python language host the Pulumi engine starts to run a Python
// program, a Python policy pack or a Python plugin.
//
// The vendor's host is its own Go module, which the Go module proxy these machines reach does not
// serve; the engine itself (pkg/v3) and the SDK module with the Python executor and the dynamic-provider
// launcher are served. This host speaks the same LanguageRuntime protocol (sdk/v3/proto/go, at the
// engine's version), with the same contract towards the executor script as the vendor's:
//
//   - the engine starts it with its own address as the last argument; it prints its port on stdout;
//   - Run starts `<virtualenv>/bin/python -u pulumi-language-python-exec --monitor … PROGRAM` with the
//     stack's config in PULUMI_CONFIG and the secret keys in PULUMI_CONFIG_SECRET_KEYS (JSON);
//   - RunPlugin starts a policy pack or plugin directory with the same interpreter, streaming its output;
//   - GetRequiredPackages names the resource plugins the virtualenv's packages declare (pulumi-plugin.json).
//
// It supports what vardmote's project uses, a virtualenv named by the runtime option `virtualenv`
// (toolchain pip), and says so plainly for anything else rather than guessing.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	pbempty "google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The executor exits with 32 after it has shown the user an actionable message: the engine then bails
// without adding a second error of its own.
const userActionableExitCode = 32

const executorName = "pulumi-language-python-exec"

func main() {
	args := os.Args[1:]
	// The engine may pass flags (tracing, logging) before its address; the address is always last.
	if len(args) == 0 || strings.HasPrefix(args[len(args)-1], "-") {
		fmt.Fprintln(os.Stderr, "usage: pulumi-language-python [flags] ENGINE_ADDRESS (started by the pulumi engine)")
		os.Exit(2)
	}
	host := &pythonHost{engineAddress: args[len(args)-1]}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-python: could not listen: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-python: %v\n", err)
		os.Exit(1)
	}
}

type pythonHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string
}

func (h *pythonHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *pythonHost) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

func (h *pythonHost) GetPluginInfo(context.Context, *pbempty.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// interpreter is the virtualenv's python named by the program's runtime options, relative to its root.
func interpreter(info *pulumirpc.ProgramInfo) (venv string, python string, err error) {
	if info == nil {
		return "", "", status.Error(codes.InvalidArgument, "the engine sent no program info")
	}
	options := info.GetOptions().AsMap()
	if toolchain, ok := options["toolchain"].(string); ok && toolchain != "" && toolchain != "pip" {
		return "", "", status.Errorf(codes.Unimplemented,
			"runtime option toolchain %q is not supported by this language host; use pip with a virtualenv", toolchain)
	}
	name, _ := options["virtualenv"].(string)
	if name == "" {
		return "", "", status.Error(codes.FailedPrecondition,
			"the runtime options name no virtualenv; set runtime.options.virtualenv (e.g. .venv) and run scripts/bootstrap.sh")
	}
	venv = name
	if !filepath.IsAbs(venv) {
		venv = filepath.Join(info.GetRootDirectory(), venv)
	}
	python = filepath.Join(venv, "bin", "python")
	if _, statErr := os.Stat(python); statErr != nil {
		return "", "", status.Errorf(codes.FailedPrecondition,
			"the virtualenv %s has no bin/python; run scripts/bootstrap.sh to create it", venv)
	}
	return venv, python, nil
}

// environment is the host's own, with the virtualenv first on PATH (as its activate script would do).
func environment(base []string, venv string, extra map[string]string) []string {
	env := make([]string, 0, len(base)+len(extra)+2)
	for _, kv := range base {
		key, _, _ := strings.Cut(kv, "=")
		if key == "PYTHONHOME" || key == "PATH" || key == "VIRTUAL_ENV" {
			continue
		}
		if _, replaced := extra[key]; replaced {
			continue
		}
		env = append(env, kv)
	}
	path := filepath.Join(venv, "bin")
	if current := lookup(base, "PATH"); current != "" {
		path += string(os.PathListSeparator) + current
	}
	env = append(env, "PATH="+path, "VIRTUAL_ENV="+venv)
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+extra[k])
	}
	return env
}

func lookup(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

// executor is pulumi-language-python-exec, installed beside this host by scripts/bootstrap.sh.
func executor() (string, error) {
	self, err := os.Executable()
	if err == nil {
		candidate := filepath.Join(filepath.Dir(self), executorName)
		if _, statErr := os.Stat(candidate); statErr == nil {
			return candidate, nil
		}
	}
	if found, lookErr := exec.LookPath(executorName); lookErr == nil {
		return found, nil
	}
	return "", status.Errorf(codes.FailedPrecondition,
		"%s is neither beside this language host nor on PATH; run scripts/bootstrap.sh", executorName)
}

func (h *pythonHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	if info == nil {
		// Older engines send only the deprecated program path.
		info = &pulumirpc.ProgramInfo{RootDirectory: req.GetPwd(), ProgramDirectory: req.GetPwd(), EntryPoint: req.GetProgram()}
	}
	venv, python, err := interpreter(info)
	if err != nil {
		return nil, err
	}
	script, err := executor()
	if err != nil {
		return nil, err
	}
	configValues := req.GetConfig()
	if configValues == nil {
		configValues = map[string]string{} // the SDK reads the JSON as an object, never null
	}
	config, err := json.Marshal(configValues)
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secrets, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	program := info.GetEntryPoint()
	if program == "" {
		program = "."
	}
	args := []string{"-u", script,
		"--monitor", req.GetMonitorAddress(),
		"--engine", h.engine(),
		"--project", req.GetProject(),
		"--stack", req.GetStack(),
		"--pwd", info.GetProgramDirectory(),
		"--root_directory", info.GetRootDirectory(),
		"--dry_run", strconv.FormatBool(req.GetDryRun()),
		"--parallel", strconv.Itoa(int(req.GetParallel())),
		"--organization", req.GetOrganization(),
		program,
	}
	args = append(args, req.GetArgs()...)
	cmd := exec.CommandContext(ctx, python, args...)
	cmd.Dir = info.GetProgramDirectory()
	cmd.Env = environment(os.Environ(), venv, map[string]string{
		"PULUMI_CONFIG":             string(config),
		"PULUMI_CONFIG_SECRET_KEYS": string(secrets),
	})
	// The engine reads the program's output from this host's own stdout and stderr.
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			if exit.ExitCode() == userActionableExitCode {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exit.ExitCode())}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not start %s: %v", python, err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// RunPlugin starts a policy pack (or another plugin written in Python) from its directory:
// `python -u DIR ARGS…` runs the directory's __main__.py, which serves the plugin's gRPC and prints its port.
func (h *pythonHost) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	info := req.GetInfo()
	venv, python, err := interpreter(info)
	if err != nil {
		return err
	}
	entry := filepath.Join(info.GetProgramDirectory(), info.GetEntryPoint())
	cmd := exec.CommandContext(server.Context(), python, append([]string{"-u", entry}, req.GetArgs()...)...)
	cmd.Dir = req.GetPwd()
	cmd.Env = environment(req.GetEnv(), venv, nil)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return status.Errorf(codes.Internal, "could not start %s: %v", python, err)
	}
	var sendMu sync.Mutex
	send := func(resp *pulumirpc.RunPluginResponse) {
		sendMu.Lock()
		defer sendMu.Unlock()
		_ = server.Send(resp) // a gone engine cancels the context, which ends the plugin
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		pump(stdout, func(b []byte) {
			send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}})
		})
	}()
	go func() {
		defer wg.Done()
		pump(stderr, func(b []byte) {
			send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}})
		})
	}()
	wg.Wait()
	code := 0
	if err := cmd.Wait(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return status.Errorf(codes.Internal, "plugin %s: %v", entry, err)
		}
		code = exit.ExitCode()
	}
	send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}})
	return nil
}

func pump(r io.Reader, emit func([]byte)) {
	reader := bufio.NewReader(r)
	for {
		line, err := reader.ReadBytes('\n')
		if len(line) > 0 {
			emit(line)
		}
		if err != nil {
			return
		}
	}
}

// pluginManifest is what a Python package of a Pulumi provider ships as pulumi-plugin.json.
type pluginManifest struct {
	Resource bool   `json:"resource"`
	Name     string `json:"name"`
	Version  string `json:"version"`
	Server   string `json:"server"`
}

func (h *pythonHost) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	venv, _, err := interpreter(req.GetInfo())
	if err != nil {
		return nil, err
	}
	manifests, err := filepath.Glob(filepath.Join(venv, "lib", "python*", "site-packages", "*", "pulumi-plugin.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(manifests)
	var packages []*pulumirpc.PackageDependency
	for _, path := range manifests {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		var m pluginManifest
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if !m.Resource || m.Name == "" {
			continue
		}
		ver := m.Version
		if ver != "" && !strings.HasPrefix(ver, "v") {
			ver = "v" + ver
		}
		packages = append(packages, &pulumirpc.PackageDependency{Kind: "resource", Name: m.Name, Version: ver, Server: m.Server})
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: packages}, nil
}

// InstallDependencies checks the virtualenv rather than changing it: scripts/bootstrap.sh installs
// vardmote and its pinned dependencies, and a second installer would only drift from it.
func (h *pythonHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	info := req.GetInfo()
	if info == nil {
		info = &pulumirpc.ProgramInfo{RootDirectory: req.GetDirectory(), ProgramDirectory: req.GetDirectory()}
	}
	venv, _, err := interpreter(info)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("The virtualenv %s is in place; scripts/bootstrap.sh installs its packages.\n", venv)
	return server.Send(&pulumirpc.InstallDependenciesResponse{Stdout: []byte(msg)})
}

func (h *pythonHost) About(_ context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	_, python, err := interpreter(req.GetInfo())
	if err != nil {
		return nil, err
	}
	out, err := exec.Command(python, "-c", "import platform; print(platform.python_version())").Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", python, err)
	}
	return &pulumirpc.AboutResponse{Executable: python, Version: strings.TrimSpace(string(out))}, nil
}

func (h *pythonHost) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	_, python, err := interpreter(req.GetInfo())
	if err != nil {
		return nil, err
	}
	out, err := exec.Command(python, "-m", "pip", "list", "--format", "json", "--disable-pip-version-check").Output()
	if err != nil {
		return nil, fmt.Errorf("%s -m pip list: %w", python, err)
	}
	var listed []struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	if err := json.Unmarshal(out, &listed); err != nil {
		return nil, fmt.Errorf("pip list: %w", err)
	}
	deps := make([]*pulumirpc.DependencyInfo, 0, len(listed))
	for _, d := range listed {
		deps = append(deps, &pulumirpc.DependencyInfo{Name: d.Name, Version: d.Version})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

func (h *pythonHost) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

func (h *pythonHost) Cancel(context.Context, *pbempty.Empty) (*pbempty.Empty, error) {
	return &pbempty.Empty{}, nil
}
