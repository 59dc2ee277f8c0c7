#!/usr/bin/env python3
"""Holds src/ to ARCHITECTURE.md's "Who may use whom" table:  python3 .ci/deps.py [--graph]

Reads every `crate::<module>` reference in the code (not the comments) of src/<module>.rs and src/<module>/
(`use crate::x`, `use crate::{a, b::c}`, and inline paths such as `crate::x::y(..)`), and fails (exit 1), naming
the file, the line and the import, when:
  - a module uses one that its row of the table does not list;
  - a row lists a module that no file of the row's modules uses (the table would no longer be true);
  - a module of src/lib.rs has no row, or more than one, or a row names a module that does not exist;
  - the modules use each other in a cycle (in the code, or as the table allows).
--graph prints the edges found, one `module: used, ...` line per module, and exits 0.
The table: one row per group, `| `a`, `b` | `x`, `y` | why |`; every backticked word of the first two cells is a
module name, the third cell is free text. A "may use" entry `x::part` allows `x` only through `crate::x::part`
(so `admin` may take the handlers' helpers, `routes::common`, and no endpoint).
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
MAP = ROOT / "ARCHITECTURE.md"
HEADING = "## Who may use whom"

TOKEN = re.compile(r"""//[^\n]*|/\*.*?\*/|r(#*)".*?"\1|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])'""", re.S)
CRATE_PATH = re.compile(r"\bcrate::")
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def modules():
    text = (SRC / "lib.rs").read_text()
    return sorted(re.findall(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;", text, re.M))


def code_only(text):
    """The text with comments and string/char literals blanked out, newlines kept (line numbers stay right)."""
    # One pass in source order, so a `//` inside a string and a quote inside a comment are both read right.
    return TOKEN.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def group_heads(code, start):
    """The first path segment of each item of the `{...}` group opening at code[start]."""
    depth, item, heads = 0, "", []
    for i in range(start, len(code)):
        ch = code[i]
        if ch == "{":
            depth += 1
            if depth == 1:
                continue
        elif ch == "}":
            depth -= 1
            if depth == 0:
                heads.append(item)
                break
        if depth == 1 and ch == ",":
            heads.append(item)
            item = ""
        elif depth >= 1:
            item += ch
    found = []
    for head in heads:
        m = IDENT.match(head.strip())
        if m and m.group(0) != "self":
            found.append(m.group(0))
    return found


def references(path):
    """(line, module, part, text) for each `crate::` reference of the file; part is the path's second segment
    (None inside a `{...}` group)."""
    code = code_only(path.read_text())
    lines = path.read_text().splitlines()
    for m in CRATE_PATH.finditer(code):
        line = code.count("\n", 0, m.start()) + 1
        rest = code[m.end():].lstrip()
        second = re.match(r"(\w+)\s*::\s*(\w+)", rest)
        names = group_heads(rest, 0) if rest.startswith("{") else [IDENT.match(rest).group(0)] if IDENT.match(rest) else []
        for name in names:
            yield line, name, second.group(2) if second else None, lines[line - 1].strip()


def owner(path):
    rel = path.relative_to(SRC)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def read_table(known):
    text = MAP.read_text()
    if HEADING not in text:
        sys.exit(f"deps: ARCHITECTURE.md has no '{HEADING}' section")
    rows, allowed, parts, errors = {}, {}, {}, []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        who, entries = re.findall(r"`(\w+)`", cells[0]), re.findall(r"`(\w+)(?:::(\w+))?`", cells[1])
        uses = [name for name, _ in entries]
        for name in who + uses:
            if name not in known:
                errors.append(f"ARCHITECTURE.md:{number}: `{name}` is not a module of src/lib.rs")
        for name in who:
            if name in rows:
                errors.append(f"ARCHITECTURE.md:{number}: `{name}` has a row already (line {rows[name]})")
            rows[name] = number
            allowed[name] = set(uses)
            for used, part in entries:
                if part:
                    parts[(name, used)] = part
    for name in known:
        if name not in rows:
            errors.append(f"ARCHITECTURE.md: module `{name}` has no row in the table: add one")
    return rows, allowed, parts, errors


def cycle(graph):
    """One cycle of the graph as a list of nodes, or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def main():
    known = modules()
    used, where, reached, errors = {m: set() for m in known}, {}, {}, []
    for path in sorted(SRC.rglob("*.rs")):
        module = owner(path)
        if module not in known:
            continue  # lib.rs, main.rs: the crate root and the binary
        for line, name, part, text in references(path):
            if name == module:
                continue
            if name not in known:
                errors.append(f"{path.relative_to(ROOT)}:{line}: `crate::{name}` is not a module of src/lib.rs: {text}")
                continue
            used[module].add(name)
            where.setdefault((module, name), f"{path.relative_to(ROOT)}:{line}: {text}")
            reached.setdefault((module, name), {}).setdefault(part, f"{path.relative_to(ROOT)}:{line}: {text}")
    if "--graph" in sys.argv:
        for module in known:
            print(f"{module}: {', '.join(sorted(used[module])) or '-'}")
        return 0
    rows, allowed, parts, table_errors = read_table(known)
    errors += table_errors
    for (module, name), at in sorted(where.items()):
        if module in allowed and name not in allowed[module]:
            errors.append(f"{at}\n    `{module}` may not use `{name}`: if it should, add `{name}` to the \"may use\" cell "
                          f"of the row of `{module}` (ARCHITECTURE.md line {rows[module]}); else remove the import")
    for (module, name), part in sorted(parts.items()):
        for other, at in sorted(reached.get((module, name), {}).items(), key=lambda kv: str(kv[0])):
            if other != part:
                errors.append(f"{at}\n    `{module}` may use `{name}` only through `crate::{name}::{part}` (ARCHITECTURE.md "
                              f"line {rows[module]})")
    for module in sorted(allowed):
        for name in sorted(allowed[module] - used[module]):
            errors.append(f"ARCHITECTURE.md:{rows[module]}: the row of `{module}` allows `{name}`, which no file of "
                          f"src/{module} uses: remove `{name}` from that row")
    for graph, what in ((used, "the code"), (allowed, "the table")):
        found = cycle(graph)
        if found:
            errors.append(f"{what} has a cycle: {' -> '.join(found)}: one of these uses must go")
    for error in errors:
        print(f"deps: {error}", file=sys.stderr)
    if errors:
        print(f"deps: FAIL ({len(errors)}); the table: ARCHITECTURE.md, '{HEADING}'", file=sys.stderr)
        return 1
    edges = sum(len(v) for v in used.values())
    print(f"deps: ok ({len(known)} modules, {edges} module-to-module uses, all in the table, no cycle)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
