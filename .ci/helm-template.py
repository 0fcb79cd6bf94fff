"""Renders a Helm chart without Helm (which no package registry here serves), for the repository's checks.

Implements the part of Go templates and Helm's functions that deploy/helm/opsassistant uses: actions with whitespace
trimming, comments, if/else if/else, range (over lists and maps, with variables), with, define/include, variables,
pipelines and parenthesised calls; functions include, quote, toYaml, nindent, indent, default, required, fail, index,
not, and, or, eq, ne, printf, trunc, trimSuffix, contains, list, dict, sha256sum, b64enc, toString. A template using anything else
fails loudly rather than rendering wrongly. Usage: helm-template.py CHART [-f values.yaml]... prints the manifests as
one YAML stream (helm template's form) and exits 2 naming the template on a rendering error."""
import base64
import hashlib
import os
import re
import sys

import yaml


class TemplateError(Exception):
    pass


# ---- parsing -------------------------------------------------------------------------------------------------------

ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.S)


def tokenize(src):
    """Yields ('text', s) and ('action', s) with Go's trim markers applied to the neighbouring text."""
    out, pos = [], 0
    for m in ACTION.finditer(src):
        text = src[pos:m.start()]
        if m.group(1):
            text = text.rstrip()
        out.append(["text", text])
        out.append(["action", m.group(2).strip(), bool(m.group(3))])
        pos = m.end()
    out.append(["text", src[pos:]])
    for i, tok in enumerate(out):
        if tok[0] == "action" and tok[2] and i + 1 < len(out):
            out[i + 1][1] = out[i + 1][1].lstrip()
    return [(t[0], t[1]) for t in out if not (t[0] == "action" and t[1].startswith("/*"))]


def parse(tokens, defines):
    """Returns a list of nodes; stops at end/else, returning the keyword that stopped it."""
    def block(i):
        nodes = []
        while i < len(tokens):
            kind, s = tokens[i]
            if kind == "text":
                nodes.append(("text", s))
                i += 1
                continue
            word = s.split(None, 1)[0] if s else ""
            rest = s[len(word):].strip()
            if word in ("end", "else"):
                return nodes, i, s
            if word in ("if", "with", "range"):
                branches, els = [], None
                cond = rest
                i += 1
                while True:
                    body, i, stop = block(i)
                    branches.append((cond, body))
                    if stop == "end":
                        i += 1
                        break
                    if stop.startswith("else if"):
                        cond = stop[len("else if"):].strip()
                        i += 1
                        continue
                    if stop == "else":
                        els, i, stop2 = block(i + 1)
                        if stop2 != "end":
                            raise TemplateError("'else' not closed by 'end'")
                        i += 1
                        break
                    raise TemplateError(f"unexpected {stop!r}")
                nodes.append((word, branches, els))
                continue
            if word == "define":
                name = parse_string(rest)
                body, i, stop = block(i + 1)
                if stop != "end":
                    raise TemplateError(f"define {name} not closed")
                defines[name] = body
                i += 1
                continue
            nodes.append(("action", s))
            i += 1
        return nodes, i, None

    nodes, _, stop = block(0)
    if stop is not None:
        raise TemplateError(f"unexpected {{{{ {stop} }}}}")
    return nodes


def parse_string(s):
    m = re.match(r'"((?:[^"\\]|\\.)*)"', s)
    if not m:
        raise TemplateError(f"expected a string: {s}")
    return bytes(m.group(1), "utf-8").decode("unicode_escape")


TOKEN = re.compile(r'\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\(|\)|\||:=|=|,|[^\s()|,]+)')


def lex_expr(s):
    toks, pos = [], 0
    while pos < len(s):
        m = TOKEN.match(s, pos)
        if not m or m.end() == pos:
            if s[pos:].strip() == "":
                break
            raise TemplateError(f"cannot read {s!r}")
        toks.append(m.group(1))
        pos = m.end()
    return toks


# ---- evaluation ----------------------------------------------------------------------------------------------------

def truthy(v):
    return not (v is None or v is False or v == 0 and not isinstance(v, bool) or (hasattr(v, "__len__") and len(v) == 0))


def to_yaml(v):
    if v is None:
        return "null"
    return yaml.safe_dump(v, default_flow_style=False, sort_keys=True).rstrip("\n")


def show(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        raise TemplateError(f"printing a collection: {v!r}")
    return str(v)


class Renderer:
    def __init__(self, defines):
        self.defines = defines

    def funcs(self, name):
        table = {
            "quote": lambda *a: " ".join('"' + show(x).replace("\\", "\\\\").replace('"', '\\"') + '"' for x in a),
            "toYaml": to_yaml,
            "nindent": lambda n, s: "\n" + "\n".join(" " * n + line if line else line for line in show(s).split("\n")),
            "indent": lambda n, s: "\n".join(" " * n + line if line else line for line in show(s).split("\n")),
            "default": lambda d, v=None: v if truthy(v) else d,
            "required": self.required,
            "fail": self.fail,
            "index": self.index,
            "not": lambda v: not truthy(v),
            "and": lambda *a: next((x for x in a if not truthy(x)), a[-1]),
            "or": lambda *a: next((x for x in a if truthy(x)), a[-1]),
            "eq": lambda a, *b: any(a == x for x in b),
            "ne": lambda a, b: a != b,
            "printf": lambda f, *a: re.sub(r"%[sdv]", "%s", f) % tuple(show(x) for x in a),
            "trunc": lambda n, s: show(s)[:n],
            "trimSuffix": lambda suf, s: show(s)[: -len(suf)] if suf and show(s).endswith(suf) else show(s),
            "contains": lambda sub, s: show(sub) in show(s),
            "list": lambda *a: list(a),
            "dict": lambda *a: {a[i]: a[i + 1] for i in range(0, len(a), 2)},
            "sha256sum": lambda s: hashlib.sha256(show(s).encode()).hexdigest(),
            "b64enc": lambda s: base64.b64encode(show(s).encode()).decode(),
            "toString": show,
            "include": self.include,
        }
        if name not in table:
            raise TemplateError(f"function {name!r} is not supported by this renderer")
        return table[name]

    @staticmethod
    def required(msg, v=None):
        if not truthy(v):
            raise TemplateError(msg)
        return v

    @staticmethod
    def fail(msg):
        raise TemplateError(msg)

    @staticmethod
    def index(coll, *keys):
        for k in keys:
            coll = (coll or {}).get(k) if isinstance(coll, dict) else coll[k]
        return coll

    def include(self, name, ctx):
        if name not in self.defines:
            raise TemplateError(f"no template named {name!r}")
        return self.render(self.defines[name], ctx, {"$": self.root})

    # Expressions: pipeline := command ('|' command)*; command := term+ ; term := literal | field | var | (pipeline)
    def pipeline(self, toks, dot, scope):
        cmds, cur, depth = [], [], 0
        for t in toks:
            if t == "(":
                depth += 1
            elif t == ")":
                depth -= 1
            if t == "|" and depth == 0:
                cmds.append(cur)
                cur = []
            else:
                cur.append(t)
        cmds.append(cur)
        value, have = None, False
        for cmd in cmds:
            value = self.command(cmd, dot, scope, (value,) if have else ())
            have = True
        return value

    def terms(self, toks, dot, scope):
        out, i = [], 0
        while i < len(toks):
            t = toks[i]
            if t == "(":
                depth, j = 1, i + 1
                while depth:
                    depth += {"(": 1, ")": -1}.get(toks[j], 0)
                    j += 1
                out.append(("value", self.pipeline(toks[i + 1:j - 1], dot, scope)))
                i = j
                continue
            out.append(("word", t))
            i += 1
        return out

    def term(self, word, dot, scope):
        if word.startswith('"'):
            return parse_string(word)
        if word.startswith("`"):
            return word[1:-1]
        if re.fullmatch(r"-?\d+", word):
            return int(word)
        if re.fullmatch(r"-?\d+\.\d+", word):
            return float(word)
        if word in ("true", "false"):
            return word == "true"
        if word == "nil":
            return None
        if word.startswith("$"):
            name, _, path = word.partition(".")
            if name not in scope:
                raise TemplateError(f"undefined variable {name}")
            return self.field(scope[name], path)
        if word.startswith("."):
            return self.field(dot, word[1:])
        return None

    @staticmethod
    def field(v, path):
        for part in [p for p in path.split(".") if p]:
            v = v.get(part) if isinstance(v, dict) else None
        return v

    def command(self, cmd, dot, scope, piped):
        terms = self.terms(cmd, dot, scope)
        kind, first = terms[0]
        if kind == "word" and re.fullmatch(r"[A-Za-z_]\w*", first) and first not in ("true", "false", "nil"):
            args = [v if k == "value" else self.term(v, dot, scope) for k, v in terms[1:]] + list(piped)
            return self.funcs(first)(*args)
        if len(terms) != 1 or piped:
            raise TemplateError(f"cannot evaluate {' '.join(cmd)}")
        return first if kind == "value" else self.term(first, dot, scope)

    def expr(self, s, dot, scope):
        return self.pipeline(lex_expr(s), dot, scope)

    def render(self, nodes, dot, scope):
        out = []
        for node in nodes:
            kind = node[0]
            if kind == "text":
                out.append(node[1])
            elif kind == "action":
                s = node[1]
                m = re.match(r"(\$\w*)\s*(:?=)\s*(.*)", s, re.S)
                if m:
                    scope[m.group(1)] = self.expr(m.group(3), dot, scope)
                else:
                    out.append(show(self.expr(s, dot, scope)))
            elif kind == "if":
                for cond, body in node[1]:
                    if truthy(self.expr(cond, dot, scope)):
                        out.append(self.render(body, dot, dict(scope)))
                        break
                else:
                    if node[2] is not None:
                        out.append(self.render(node[2], dot, dict(scope)))
            elif kind == "with":
                (cond, body), = node[1]
                v = self.expr(cond, dot, scope)
                if truthy(v):
                    out.append(self.render(body, v, dict(scope)))
                elif node[2] is not None:
                    out.append(self.render(node[2], dot, dict(scope)))
            elif kind == "range":
                (cond, body), = node[1]
                m = re.match(r"(\$\w+)(?:\s*,\s*(\$\w+))?\s*:=\s*(.*)", cond, re.S)
                names, src = ((m.group(1), m.group(2)), m.group(3)) if m else ((None, None), cond)
                coll = self.expr(src, dot, scope)
                items = sorted(coll.items()) if isinstance(coll, dict) else list(enumerate(coll or []))
                if not items and node[2] is not None:
                    out.append(self.render(node[2], dot, dict(scope)))
                for k, v in items:
                    inner = dict(scope)
                    if names[1]:
                        inner[names[0]], inner[names[1]] = k, v
                    elif names[0]:
                        inner[names[0]] = v
                    out.append(self.render(body, v, inner))
        return "".join(out)


def merge(base, over):
    for k, v in over.items():
        base[k] = merge(base.get(k, {}), v) if isinstance(v, dict) and isinstance(base.get(k), dict) else v
    return base


def render_chart(chart, value_files, release="opsassistant", namespace="default"):
    meta = yaml.safe_load(open(os.path.join(chart, "Chart.yaml"), encoding="utf-8"))
    values = yaml.safe_load(open(os.path.join(chart, "values.yaml"), encoding="utf-8")) or {}
    for f in value_files:
        values = merge(values, yaml.safe_load(open(f, encoding="utf-8")) or {})
    root = {
        "Values": values,
        "Release": {"Name": release, "Namespace": namespace, "Service": "Helm"},
        "Chart": {"Name": meta["name"], "Version": meta["version"], "AppVersion": meta.get("appVersion", "")},
    }
    tdir = os.path.join(chart, "templates")
    defines, parsed = {}, {}
    for name in sorted(os.listdir(tdir)):
        parsed[name] = parse(tokenize(open(os.path.join(tdir, name), encoding="utf-8").read()), defines)
    renderer = Renderer(defines)
    renderer.root = root
    docs, notes = [], ""
    for name, nodes in parsed.items():
        if name.startswith("_"):
            continue
        try:
            text = renderer.render(nodes, root, {"$": root})
        except TemplateError as e:
            raise TemplateError(f"{name}: {e}") from None
        if name == "NOTES.txt":
            notes = text
            continue
        for doc in text.split("\n---"):
            if doc.strip():
                docs.append((name, doc.strip("\n")))
    return docs, notes


def main(argv):
    chart, files = argv[0], []
    i = 1
    while i < len(argv):
        if argv[i] == "-f":
            files.append(argv[i + 1])
            i += 2
        else:
            raise SystemExit(f"unknown argument {argv[i]}")
    try:
        docs, _ = render_chart(chart, files)
    except TemplateError as e:
        print(f"helm-template: {e}", file=sys.stderr)
        return 2
    for name, doc in docs:
        print(f"---\n# Source: {os.path.basename(chart)}/templates/{name}\n{doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
