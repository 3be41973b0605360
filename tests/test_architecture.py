"""The import rules hold: the contracts in pyproject.toml pass, and no module of the package imports itself back.

import-linter's contracts check layers and cycles between siblings; a cycle through a package's own __init__
(a package importing its modules, one of which imports the package) is between a parent and its child, which
no contract sees. So the whole module graph is checked here too, imports inside functions included: an import
moved into a function to dodge a cycle is still a cycle.
"""

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_imports_itself_back():
    graph = grimp.build_graph("corrections", cache_dir=None)
    cycles = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back is not None:
                cycles.add(" → ".join((module, *back)))
    assert not cycles, "Import cycles:\n" + "\n".join(sorted(cycles))
