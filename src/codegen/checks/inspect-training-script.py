"""Static checks on a generated training script, with Python's own parser (no regular expressions).

Usage: python3 inspect-training-script.py <script.py> '<options json>'
Options: {"allowedHosts": ["huggingface.co", ...], "budgetEnv": "SHERPA_RUN_BUDGET_SECONDS",
          "checkpointEnv": "SHERPA_CHECKPOINT_DIR", "backend": "neuron" | "cuda"}
The backend decides the device rules: `neuron` needs torch_xla and forbids CUDA; `cuda` needs a CUDA device and
forbids torch_xla. Both need the checkpoint contract (issue 12): save model, optimizer and step to the checkpoint
folder inside the training loop and on SIGTERM, and resume from it.
Prints one JSON object: {"findings": [{"rule", "line", "message"}], "facts": {...}}.
A finding is a reason not to post the code; facts describe what was seen (for the thread and the review prompt).
Standard library only: it runs wherever the bot runs.
"""

import ast
import json
import sys
from urllib.parse import urlparse

# Modules that open sockets or run programs no matter how they are called.
FORBIDDEN_MODULES = {
    "subprocess": "runs other programs",
    "pty": "runs other programs",
    "pexpect": "runs other programs",
    "sh": "runs other programs",
    "socket": "opens network sockets",
    "socketserver": "opens network sockets",
    "ssl": "opens network sockets",
    "http.client": "opens network connections",
    "http.server": "serves on the network",
    "ftplib": "opens network connections",
    "smtplib": "opens network connections",
    "telnetlib": "opens network connections",
    "xmlrpc": "opens network connections",
    "paramiko": "opens network connections",
    "boto3": "calls AWS with the instance's credentials",
    "botocore": "calls AWS with the instance's credentials",
    "ctypes": "calls native code directly",
    "cffi": "calls native code directly",
}

# CUDA-only libraries: none of them runs on a NeuronCore.
CUDA_MODULES = {"triton", "apex", "bitsandbytes", "flash_attn", "xformers", "cupy", "pynvml", "nvidia", "pycuda"}

# Generic HTTP clients: allowed only for dataset downloads from the configured hosts.
HTTP_CLIENT_MODULES = {"urllib.request", "urllib3", "requests", "httpx", "aiohttp", "wget"}

# Calls that download implicitly, and the hosts they talk to.
IMPLICIT_DOWNLOADS = {
    "load_dataset": ["huggingface.co"],
    "from_pretrained": ["huggingface.co"],
    "hf_hub_download": ["huggingface.co"],
    "snapshot_download": ["huggingface.co"],
}
TORCHVISION_HOSTS = ["download.pytorch.org", "ossci-datasets.s3.amazonaws.com", "www.cs.toronto.edu", "yann.lecun.com"]

FORBIDDEN_OS_CALLS = {"system", "popen", "fork", "forkpty", "kill", "killpg"}
FORBIDDEN_OS_PREFIXES = ("exec", "spawn", "posix_spawn")
DYNAMIC_CODE_CALLS = {"eval", "exec", "compile", "__import__"}
CLOCK_CALLS = {"monotonic", "time", "perf_counter", "monotonic_ns", "perf_counter_ns", "time_ns"}
XLA_DEVICE_CALLS = {("torch_xla", "device"), ("xm", "xla_device"), ("xla_model", "xla_device")}
XLA_SYNC_CALLS = {("torch_xla", "sync"), ("xm", "mark_step"), ("xm", "optimizer_step"), ("xla_model", "mark_step")}
# How a checkpoint is written and read back: torch's own, or pickle/json for a script with no tensors to keep.
SAVE_CALLS = {"torch.save", "torch_xla.core.xla_model.save", "pickle.dump", "json.dump"}
LOAD_CALLS = {"torch.load", "pickle.load", "json.load"}
# Dictionary keys that name the training position in a checkpoint.
STEP_KEYS = {"step", "global_step", "epoch", "iteration", "iter"}


def dotted(node):
    """`torch.cuda.is_available` for an Attribute chain, or None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def module_matches(name, modules):
    return any(name == m or name.startswith(m + ".") for m in modules)


def string_parts(node):
    """Constant string pieces of a str, f-string or `+` concatenation."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return string_parts(node.left) + string_parts(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return string_parts(node.func.value)
    return []


def is_cuda_string(value):
    text = value.strip().lower()
    return text == "cuda" or text.startswith("cuda:") or text == "nccl"


class Inspector(ast.NodeVisitor):
    def __init__(self, allowed_hosts, budget_env, checkpoint_env="SHERPA_CHECKPOINT_DIR", backend="neuron", objective=None):
        self.allowed_hosts = {h.lower() for h in allowed_hosts}
        # The code version's declared objective (issue 13): a METRICS key the script must be able to print.
        self.objective = objective
        self.metric_keys = set()
        self.budget_env = budget_env
        self.checkpoint_env = checkpoint_env
        self.backend = backend
        self.cuda_uses = []  # (rule finding args) kept aside: a finding on neuron, a requirement met on cuda
        self.dict_keys = set()
        self.save_lines = []
        self.save_in_loop = False
        self.save_functions = set()
        self.findings = []
        self.aliases = {}
        self.loop_depth = 0
        self.function_stack = []
        self.metrics_lines = []
        self.metrics_in_loop = False
        self.metrics_functions = set()
        self.calls_in_loops = set()
        self.urls = []
        self.http_client_lines = []
        self.uses = {
            "xla_import": False,
            "xla_device": False,
            "xla_sync": False,
            "clock": False,
            "budget_env": False,
            "checkpoint_env": False,
            "torch_save": False,
            "torch_load": False,
            "sigterm": False,
        }

    def add(self, rule, node, message):
        self.findings.append({"rule": rule, "line": getattr(node, "lineno", 0), "message": message})

    def check_module(self, name, node):
        if module_matches(name, FORBIDDEN_MODULES):
            root = next(m for m in FORBIDDEN_MODULES if name == m or name.startswith(m + "."))
            rule = "network" if "network" in FORBIDDEN_MODULES[root] or "AWS" in FORBIDDEN_MODULES[root] else "process"
            self.add(rule, node, f"imports {name}, which {FORBIDDEN_MODULES[root]}")
        if name.split(".")[0] in CUDA_MODULES:
            self.cuda(node, f"imports {name}, a CUDA-only library")
        if module_matches(name, HTTP_CLIENT_MODULES):
            self.http_client_lines.append((node.lineno, name))
        if name == "torch_xla" or name.startswith("torch_xla."):
            self.uses["xla_import"] = True
            if self.backend == "cuda":
                self.add("xla", node, f"imports {name}; a GPU version must not use torch_xla")

    def cuda(self, node, message):
        """CUDA use: a finding on neuron, the device requirement met on cuda."""
        self.cuda_uses.append(node)
        if self.backend != "cuda":
            self.add("cuda", node, message)

    def visit_Import(self, node):
        for alias in node.names:
            self.check_module(alias.name, node)
            self.aliases[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
        self.generic_visit(node)

    def visit_ImportFrom(self, node):
        module = node.module or ""
        self.check_module(module, node)
        for alias in node.names:
            full = f"{module}.{alias.name}" if module else alias.name
            self.check_module(full, node)
            self.aliases[alias.asname or alias.name] = full
        self.generic_visit(node)

    def resolve(self, name):
        """Expand a local alias: `xm.mark_step` → `torch_xla.core.xla_model.mark_step`."""
        if name is None:
            return None
        head, _, rest = name.partition(".")
        full = self.aliases.get(head, head)
        return f"{full}.{rest}" if rest else full

    def visit_For(self, node):
        self.visit_loop(node)

    def visit_While(self, node):
        self.visit_loop(node)

    visit_AsyncFor = visit_For

    def visit_loop(self, node):
        self.loop_depth += 1
        self.generic_visit(node)
        self.loop_depth -= 1

    def visit_FunctionDef(self, node):
        # A function body runs wherever it is called; loop depth restarts inside it.
        saved = self.loop_depth
        self.loop_depth = 0
        self.function_stack.append(node.name)
        self.generic_visit(node)
        self.function_stack.pop()
        self.loop_depth = saved

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Attribute(self, node):
        name = dotted(node)
        resolved = self.resolve(name) if name else None
        if resolved and (resolved.startswith("torch.cuda") or resolved.startswith("torch.backends.cudnn")):
            # Report the outermost name once, not every prefix of the chain.
            self.cuda(node, f"uses {name}; Trainium has no CUDA")
            return
        self.generic_visit(node)

    def visit_Dict(self, node):
        # Keys a METRICS line can carry: `{"val_loss": ...}` literals anywhere in the script.
        for key in node.keys:
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                self.metric_keys.add(key.value)
                # ... and what a checkpoint holds (the checkpoint contract: optimizer and step keys).
                self.dict_keys.add(key.value.lower())
        self.generic_visit(node)

    def visit_Subscript(self, node):
        # ... and `record["val_loss"] = ...` assignments.
        if isinstance(node.ctx, ast.Store) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
            self.metric_keys.add(node.slice.value)
        self.generic_visit(node)

    def visit_Expr(self, node):
        # Docstrings and bare strings are documentation: a URL in them is a citation, not a download.
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return
        self.generic_visit(node)

    def visit_Constant(self, node):
        if isinstance(node.value, str):
            if node.value == self.budget_env:
                self.uses["budget_env"] = True
            if node.value == self.checkpoint_env:
                self.uses["checkpoint_env"] = True
            for token in node.value.split():
                parsed = urlparse(token)
                if parsed.scheme in ("http", "https", "ftp", "ws", "wss") and parsed.hostname:
                    self.urls.append((parsed.hostname.lower(), node.lineno))

    def visit_Call(self, node):
        name = dotted(node.func)
        resolved = self.resolve(name) or ""
        last = resolved.rsplit(".", 1)[-1]
        owner = resolved.rsplit(".", 1)[0] if "." in resolved else ""

        if self.loop_depth > 0 and name:
            self.calls_in_loops.add(name.rsplit(".", 1)[-1])
        if owner and module_matches(owner, HTTP_CLIENT_MODULES):
            self.http_client_lines.append((node.lineno, owner))
        if owner == "os" and (last in FORBIDDEN_OS_CALLS or last.startswith(FORBIDDEN_OS_PREFIXES)):
            self.add("process", node, f"calls os.{last}, which runs or signals other programs")
        if isinstance(node.func, ast.Name) and node.func.id in DYNAMIC_CODE_CALLS:
            self.add("dynamic-code", node, f"calls {node.func.id}(), which hides code from these checks")
        if resolved in ("importlib.import_module",):
            self.add("dynamic-code", node, "imports a module by name at run time, which hides it from these checks")
        if isinstance(node.func, ast.Attribute) and node.func.attr == "cuda":
            self.cuda(node, "calls .cuda(); use torch_xla.device() instead")
        for arg in list(node.args) + [k.value for k in node.keywords]:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and is_cuda_string(arg.value):
                self.cuda(node, f'passes the device "{arg.value}"; Trainium has no CUDA')
        self.note_checkpoint_call(node, resolved)
        if owner == "time" and last in CLOCK_CALLS:
            self.uses["clock"] = True
        for module, fn in XLA_DEVICE_CALLS:
            if name == f"{module}.{fn}" or resolved.endswith(f"xla_model.{fn}") or resolved == f"torch_xla.{fn}":
                self.uses["xla_device"] = True
        for module, fn in XLA_SYNC_CALLS:
            if name == f"{module}.{fn}" or resolved.endswith(f"xla_model.{fn}") or resolved == f"torch_xla.{fn}":
                self.uses["xla_sync"] = True
        if last in IMPLICIT_DOWNLOADS:
            self.require_hosts(node, last, IMPLICIT_DOWNLOADS[last])
        for keyword in node.keywords:
            if keyword.arg == "download" and isinstance(keyword.value, ast.Constant) and keyword.value.value is True:
                self.require_hosts(node, f"{last}(download=True)", TORCHVISION_HOSTS)
        if self.is_metrics_emit(node, name):
            self.metrics_lines.append(node.lineno)
            if self.loop_depth > 0:
                self.metrics_in_loop = True
            elif self.function_stack:
                self.metrics_functions.add(self.function_stack[-1])
        self.generic_visit(node)

    def note_checkpoint_call(self, node, resolved):
        if resolved in SAVE_CALLS:
            self.uses["torch_save"] = True
            self.save_lines.append(node.lineno)
            if self.loop_depth > 0:
                self.save_in_loop = True
            elif self.function_stack:
                self.save_functions.add(self.function_stack[-1])
        if resolved in LOAD_CALLS:
            self.uses["torch_load"] = True
        if resolved == "signal.signal" and node.args:
            if (self.resolve(dotted(node.args[0])) or "") in ("signal.SIGTERM", "SIGTERM"):
                self.uses["sigterm"] = True

    def require_hosts(self, node, what, hosts):
        if not any(h in self.allowed_hosts for h in hosts):
            self.add(
                "network",
                node,
                f"{what} downloads from {', '.join(hosts)}, which the configured dataset hosts do not allow",
            )

    @staticmethod
    def is_metrics_emit(node, name):
        if name not in ("print", "sys.stdout.write", "logger.info", "logging.info"):
            return False
        if not node.args:
            return False
        parts = string_parts(node.args[0])
        return bool(parts) and parts[0].lstrip().startswith("METRICS:")

    def finish(self, tree):
        if self.http_client_lines:
            if not self.allowed_hosts:
                for line, module in self.http_client_lines:
                    self.findings.append(
                        {"rule": "network", "line": line, "message": f"uses {module}, but no dataset hosts are allowed"}
                    )
        for host, line in self.urls:
            if host not in self.allowed_hosts:
                self.findings.append(
                    {"rule": "network", "line": line, "message": f"refers to {host}, which is not an allowed dataset host"}
                )
        # A METRICS line inside a helper counts when the helper is called from a loop.
        if not self.metrics_in_loop and self.metrics_functions & self.calls_in_loops:
            self.metrics_in_loop = True
        if not self.metrics_lines:
            self.findings.append(
                {"rule": "metrics", "line": 0, "message": "never prints a `METRICS: {json}` line"}
            )
        elif not self.metrics_in_loop:
            self.findings.append(
                {
                    "rule": "metrics",
                    "line": self.metrics_lines[0],
                    "message": "prints METRICS only outside the training loop; print one line per step or epoch",
                }
            )
        if self.objective and self.objective not in self.metric_keys:
            self.findings.append(
                {
                    "rule": "objective",
                    "line": 0,
                    "message": f"never puts the objective `{self.objective}` in a METRICS line",
                }
            )
        if self.backend == "cuda":
            if not self.cuda_uses:
                self.findings.append(
                    {"rule": "gpu", "line": 0, "message": 'never puts the model on the GPU (torch.device("cuda"))'}
                )
        else:
            self.finish_trainium()
        self.finish_checkpoint()
        if not (self.uses["clock"] and self.uses["budget_env"]):
            self.findings.append(
                {
                    "rule": "budget",
                    "line": 0,
                    "message": f"does not stop on the wall-clock budget (read {self.budget_env} and check time.monotonic())",
                }
            )


    def finish_trainium(self):
        if not self.uses["xla_import"]:
            self.findings.append({"rule": "trainium", "line": 0, "message": "does not import torch_xla"})
        if not self.uses["xla_device"]:
            self.findings.append(
                {"rule": "trainium", "line": 0, "message": "never gets the XLA device (torch_xla.device())"}
            )
        if not self.uses["xla_sync"]:
            self.findings.append(
                {"rule": "trainium", "line": 0, "message": "never ends a step with torch_xla.sync() (or xm.mark_step())"}
            )

    def finish_checkpoint(self):
        """The checkpoint contract: an interrupted run (spot) must resume where it stopped, not start over."""
        if not self.save_in_loop and self.save_functions & self.calls_in_loops:
            self.save_in_loop = True
        missing = []
        if not self.uses["checkpoint_env"]:
            missing.append(f"never reads {self.checkpoint_env} (the folder to save the checkpoint in)")
        if not self.uses["torch_save"]:
            missing.append("never saves a checkpoint (torch.save)")
        elif not self.save_in_loop:
            missing.append("saves the checkpoint only outside the training loop; save every N steps")
        if not self.uses["sigterm"]:
            missing.append("does not save on SIGTERM (signal.signal(signal.SIGTERM, ...)): a spot interruption loses the run")
        if not self.uses["torch_load"]:
            missing.append("never resumes from the checkpoint (torch.load when it exists)")
        if not any("optim" in key for key in self.dict_keys):
            missing.append('the checkpoint does not hold the optimizer state (an "optimizer" key)')
        if not self.dict_keys & STEP_KEYS:
            missing.append('the checkpoint does not hold the step (a "step" key), so METRICS cannot continue from it')
        for message in missing:
            self.findings.append({"rule": "checkpoint", "line": 0, "message": message})


def main():
    path = sys.argv[1]
    options = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    with open(path, "r", encoding="utf-8") as handle:
        source = handle.read()
    try:
        tree = ast.parse(source, filename="train.py")
    except SyntaxError as error:
        print(json.dumps({"findings": [{"rule": "syntax", "line": error.lineno or 0, "message": error.msg}], "facts": {}}))
        return
    inspector = Inspector(
        options.get("allowedHosts", []),
        options.get("budgetEnv", "SHERPA_RUN_BUDGET_SECONDS"),
        options.get("checkpointEnv", "SHERPA_CHECKPOINT_DIR"),
        options.get("backend", "neuron"),
        options.get("objective"),
    )
    inspector.visit(tree)
    inspector.finish(tree)
    facts = {
        "metricsLines": len(inspector.metrics_lines),
        "lines": len(source.splitlines()),
        **inspector.uses,
    }
    # One finding per rule and line is enough for a person to act on.
    seen = set()
    unique = []
    for finding in inspector.findings:
        key = (finding["rule"], finding["line"]) if finding["line"] else (finding["rule"], finding["message"])
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    unique.sort(key=lambda f: (f["line"], f["rule"]))
    print(json.dumps({"findings": unique, "facts": facts}))


if __name__ == "__main__":
    main()
