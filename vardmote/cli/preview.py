"""`vardmote preview`: the platform a stack declares, offline, without the Pulumi engine."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.tree import Tree

from vardmote.cli.console import console, error_console, fail, print_json, print_problems
from vardmote.cli.stack_option import project_of_stack
from vardmote.core.problems import ProblemsFound

if TYPE_CHECKING:
    from vardmote.platform.config import PlatformConfig
    from vardmote.platform.stack_files import StackFile


class PreviewFormat(StrEnum):
    tree = "tree"
    json = "json"


def preview(
    stack: Annotated[
        str | None,
        typer.Option(
            "--stack",
            "-s",
            help="The stack to preview (lab, rvn-test, rvn-prod). Default: every stack.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        PreviewFormat,
        typer.Option("--format", "-f", help="tree for people; json shaped like `pulumi preview --json`."),
    ] = PreviewFormat.tree,
    addresses: Annotated[
        bool, typer.Option("--addresses", help="Print the address plan instead of the resources.")
    ] = False,
) -> None:
    """Show what a stack would create, by running the real Pulumi program under the SDK's mock runtime.

    No Pulumi engine, credentials or network are needed. `secure:` config values are never
    decrypted: a [secret] placeholder stands in, and secrets show as [secret] in the output.
    Values only known after deployment (object URIs) show as [unknown]. The same program runs
    unchanged under `pulumi preview` and `pulumi up` (see docs/platform-runbook.md).

    Examples:

        vardmote preview --stack lab

        vardmote preview --stack rvn-prod --format json > rvn-prod-preview.json

        vardmote preview --stack rvn-prod --addresses
    """
    from vardmote.platform.stack_files import available_stacks, load_stack_file, project_dir

    project = project_of_stack(stack) if stack else project_dir()
    stacks = [stack] if stack else available_stacks(project)
    if not stacks:
        fail(f"no Pulumi.<stack>.yaml in {project}; set VARDMOTE_PROJECT_DIR to the project folder")
        raise typer.Exit(1)
    documents = []
    for name in stacks:
        try:
            stack_file = load_stack_file(project, name)
            platform = stack_file.platform()
            if addresses:
                _print_address_plan(name, platform)
                continue
            documents.append(_preview_one(stack_file, platform, output_format))
        except ProblemsFound as found:
            print_problems(found.problems, stderr=True)
            error_console.print(f"[bold red]✗[/] stack {name}: fix the configuration above and run again")
            raise typer.Exit(1) from None
    if output_format is PreviewFormat.json and not addresses:
        print_json(documents[0] if stack else {"stacks": documents})


def _preview_one(stack_file: StackFile, platform: PlatformConfig, output_format: PreviewFormat) -> dict[str, Any]:
    # Imported here: loading the Pulumi SDK and provider SDKs is the slow part, and --addresses needs neither.
    from vardmote.platform.preview import preview_document, run_offline

    values, secret_keys, missing = stack_file.offline_config(platform)
    for key in missing:
        error_console.print(
            f"note: {key} is not set for {stack_file.stack}; `pulumi up` stops until "
            f"`pulumi config set --secret {key}`",
            soft_wrap=True,
        )
    try:
        recording = run_offline(stack_file.stack, values, secret_keys)
    except Exception as err:  # the program failed: say so in one line, never a traceback
        message = str(err).strip().splitlines() or [type(err).__name__]
        for line in message:
            fail(f"stack {stack_file.stack}: {line}")
        raise typer.Exit(1) from None
    document = preview_document(recording)
    if output_format is PreviewFormat.tree:
        _print_tree(document)
    return document


def _print_tree(document: dict[str, Any]) -> None:
    steps = document["steps"]
    by_parent: dict[str, list[dict[str, Any]]] = {}
    root_urn = ""
    for step in steps:
        state = step["newState"]
        if state["type"] == "pulumi:pulumi:Stack":
            root_urn = step["urn"]
        by_parent.setdefault(state["parent"], []).append(step)

    addresses = {node["name"]: node["address"] for node in document["outputs"].get("nodes", [])}

    def add(tree: Tree, urn: str) -> None:
        for step in by_parent.get(urn, []):
            branch = tree.add(_label(step, addresses))
            add(branch, step["urn"])

    imports = sum(1 for step in steps if step["op"] == "import")
    counted = f"{len(steps) - imports} resources to create" + (f", {imports} to import" if imports else "")
    tree = Tree(f"[bold]{document['stack']}[/] ({counted})")
    add(tree, root_urn)
    console.print(tree)
    outputs = document["outputs"]
    urls = outputs.get("urls", {})
    for name, url in urls.items():
        console.print(f"  {name}: {url}")


def _label(step: dict[str, Any], addresses: dict[str, str]) -> str:
    state = step["newState"]
    name = step["urn"].rsplit("::", 1)[-1]
    kind = state["type"].rsplit(":", 1)[-1]
    inputs = state["inputs"]
    facts = []
    if "numCpus" in inputs:
        facts.append(f"{inputs['numCpus']} vCPU, {inputs['memory']} MB")
    if "cpu" in inputs and isinstance(inputs["cpu"], dict):
        facts.append(f"{inputs['cpu'].get('cores')} vCPU, {inputs.get('memory', {}).get('dedicated')} MB")
    fields = inputs.get("fields")
    if isinstance(fields, dict) and "address" in fields:
        facts.append(str(fields["address"]))
    if state["type"].startswith("vardmote:"):
        address = f" [dim]{addresses[name]}[/]" if name in addresses else ""
        return f"[bold cyan]{kind}[/] {name}{address}"
    if step["op"] == "import":
        facts.append("import")
    detail = f" [dim]({'; '.join(facts)})[/]" if facts else ""
    return f"{kind} {name}{detail}"


def _print_address_plan(stack: str, platform: PlatformConfig) -> None:

    plan = platform.address_plan()
    table = Table("Site", "Network", "CIDR", "Gateway", "Hosts", "Used/room", title=f"Address plan: {stack}")
    for network in plan.networks:
        hosts = [h for h in plan.hosts if h.site == network.site and h.network == network.role]
        table.add_row(
            network.site,
            network.role,
            network.cidr,
            network.gateway,
            "\n".join(f"{h.name} {h.address}" for h in hosts) or "-",
            f"{network.used}/{network.capacity}",
        )
    console.print(table)
    public = [h for h in plan.hosts if h.public_address is not None]
    if public:
        # What the region's firewall maps: each public address to its host's DMZ address.
        nat = Table("Site", "Host", "DMZ address", "Public (static NAT)", title=f"Public side: {stack}")
        for host in public:
            nat.add_row(host.site, host.name, host.address, host.public_address)
        console.print(nat)
