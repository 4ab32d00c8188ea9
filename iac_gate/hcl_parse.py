"""Parse HCL expressions (the text python-hcl2 leaves in attribute values) into a small AST.

python-hcl2 parses the block structure of `.tf` files; every attribute value that is not a plain
literal comes back as text: `"${expr}"` for an expression, `"\"...\""` for a string template,
`"\"<<EOT\\n...\\nEOT\""` for a heredoc. This module turns that text into nested tuples the
evaluator (`iac_gate.hcl_eval`) walks. It covers HCL's expression language: literals, templates
with `${}` interpolations and `%{if}` / `%{for}` directives, tuples, objects, `for` expressions
(lists, maps, `if` filters, `...` grouping), attribute and index traversal, attribute and full
splats (`.*`, `[*]`), function calls (with `...` expansion), unary / binary operators with
Terraform's precedence, and conditionals.

AST nodes (tuples, first item the kind):
`("lit", v)`, `("tmpl", parts)`, `("var", name)`, `("attr", node, name)`, `("index", node, key)`,
`("splat", node, ops)`, `("call", name, args, expand)`, `("unop", op, node)`,
`("binop", op, left, right)`, `("cond", c, a, b)`, `("tuple", items)`, `("object", pairs)`,
`("for", is_object, key_var, value_var, coll, key_expr, value_expr, cond, group)`.
Template parts: `str`, `("interp", node)`, `("if", cond, then, else)`, `("for", k, v, coll, body)`.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

Node = tuple[Any, ...]
MAX_DEPTH = 200  # nesting of one expression; deeper input is rejected, never a RecursionError
MAX_EXPR_CHARS = 1_000_000


class HclSyntaxError(Exception):
    """An expression that is not valid HCL; the message quotes at most a short excerpt."""


_TOKEN = re.compile(
    r"""(?P<ws>(?:\s+|\#[^\n]*|//[^\n]*|/\*.*?\*/)+)
      |(?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      |(?P<ident>[A-Za-z_][A-Za-z0-9_-]*(?:::[A-Za-z_][A-Za-z0-9_-]*)*)
      |(?P<heredoc><<-?[A-Za-z_][A-Za-z0-9_]*[ \t]*\n)
      |(?P<op>\.\.\.|=>|==|!=|<=|>=|&&|\|\||[-+*/%<>!?:.,=()\[\]{}"])
    """,
    re.X | re.S,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_BINARY = (  # lowest precedence first
    ("||",),
    ("&&",),
    ("==", "!="),
    ("<", ">", "<=", ">="),
    ("+", "-"),
    ("*", "/", "%"),
)


def excerpt(text: str, limit: int = 60) -> str:
    """A short, single-line excerpt of the user's own text for an error message."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def number(text: str) -> int | Decimal:
    """An HCL number literal: an int when integral, else a Decimal (money-safe, no floats)."""
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise HclSyntaxError(f"`{excerpt(text)}` is not a number") from None
    if not d.is_finite():
        raise HclSyntaxError(f"`{excerpt(text)}` is not a finite number")
    if d == d.to_integral_value() and abs(d) < Decimal(10) ** 30:
        return int(d)
    return d


class Parser:
    def __init__(self, src: str) -> None:
        if len(src) > MAX_EXPR_CHARS:
            raise HclSyntaxError("expression longer than 1,000,000 characters")
        self.src = src
        self.pos = 0
        self.depth = 0

    # ---- tokens --------------------------------------------------------------------------
    def _skip_ws(self) -> None:
        m = _TOKEN.match(self.src, self.pos)
        while m and m.lastgroup == "ws":
            self.pos = m.end()
            m = _TOKEN.match(self.src, self.pos)

    def peek(self, ahead: int = 0) -> tuple[str, str] | None:
        save = self.pos
        tok = None
        for _ in range(ahead + 1):
            tok = self._next()
            if tok is None:
                break
        self.pos = save
        return tok

    def _next(self) -> tuple[str, str] | None:
        self._skip_ws()
        if self.pos >= len(self.src):
            return None
        m = _TOKEN.match(self.src, self.pos)
        if m is None:
            raise self.error(f"unexpected character {self.src[self.pos]!r}")
        self.pos = m.end()
        kind = m.lastgroup or ""
        return kind, m.group(kind)

    def take(self) -> tuple[str, str]:
        tok = self._next()
        if tok is None:
            raise self.error("unexpected end of expression")
        return tok

    def accept(self, op: str) -> bool:
        tok = self.peek()
        if tok is not None and tok[0] == "op" and tok[1] == op:
            self._next()
            return True
        return False

    def expect(self, op: str) -> None:
        if not self.accept(op):
            tok = self.peek()
            raise self.error(f"expected `{op}`, found {tok[1] if tok else 'the end'!r}")

    def error(self, msg: str) -> HclSyntaxError:
        return HclSyntaxError(f"{msg} in `{excerpt(self.src)}`")

    # ---- grammar -------------------------------------------------------------------------
    def parse(self) -> Node:
        node = self.expr()
        if self.peek() is not None:
            raise self.error(f"unexpected `{excerpt(str(self.peek()[1]), 20)}`")  # type: ignore[index]
        return node

    def expr(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error("expression nested too deeply")
        try:
            cond = self.binary(0)
            if self.accept("?"):
                a = self.expr()
                self.expect(":")
                b = self.expr()
                return ("cond", cond, a, b)
            return cond
        finally:
            self.depth -= 1

    def binary(self, level: int) -> Node:
        if level == len(_BINARY):
            return self.unary()
        left = self.binary(level + 1)
        while True:
            tok = self.peek()
            if tok is None or tok[0] != "op" or tok[1] not in _BINARY[level]:
                return left
            self._next()
            left = ("binop", tok[1], left, self.binary(level + 1))

    def unary(self) -> Node:
        tok = self.peek()
        if tok is not None and tok[0] == "op" and tok[1] in ("-", "!"):
            self._next()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.error("expression nested too deeply")
            try:
                return ("unop", tok[1], self.unary())
            finally:
                self.depth -= 1
        return self.postfix(self.primary())

    def postfix(self, node: Node) -> Node:
        while True:
            tok = self.peek()
            if tok is None or tok[0] != "op":
                return node
            if tok[1] == ".":
                self._next()
                kind, val = self.take()
                if kind == "ident":
                    node = ("attr", node, val)
                elif kind == "num" and re.fullmatch(r"\d+", val):
                    node = ("index", node, ("lit", int(val)))
                elif kind == "op" and val == "*":
                    node = ("splat", node, self._splat_ops(attr_only=True))
                else:
                    raise self.error(f"unexpected `{val}` after `.`")
            elif tok[1] == "[":
                self._next()
                if self.accept("*"):
                    self.expect("]")
                    node = ("splat", node, self._splat_ops(attr_only=False))
                else:
                    key = self.expr()
                    self.expect("]")
                    node = ("index", node, key)
            else:
                return node

    def _splat_ops(self, attr_only: bool) -> list[Node]:
        ops: list[Node] = []
        while True:
            tok = self.peek()
            if tok is None or tok[0] != "op":
                return ops
            if tok[1] == ".":
                nxt = self.peek(1)
                if nxt is None or nxt[0] not in ("ident", "num"):
                    return ops
                self._next()
                self._next()
                if nxt[0] == "ident":
                    ops.append(("attr", nxt[1]))
                else:
                    ops.append(("index", ("lit", int(nxt[1]))))
            elif tok[1] == "[" and not attr_only:
                self._next()
                key = self.expr()
                self.expect("]")
                ops.append(("index", key))
            else:
                return ops

    def primary(self) -> Node:
        kind, val = self.take()
        if kind == "num":
            try:
                return ("lit", number(val))
            except HclSyntaxError as e:
                raise self.error(str(e)) from None
        if kind == "heredoc":
            return self.heredoc(val)
        if kind == "ident":
            if val in ("true", "false"):
                return ("lit", val == "true")
            if val == "null":
                return ("lit", None)
            if self.accept("("):
                return self.call(val)
            return ("var", val)
        if val == '"':
            parts = self.template('"')
            return ("tmpl", parts)
        if val == "(":
            inner = self.expr()
            self.expect(")")
            return ("paren", inner)
        if val == "[":
            return self.tuple_or_for()
        if val == "{":
            return self.object_or_for()
        raise self.error(f"unexpected `{val}`")

    def call(self, name: str) -> Node:
        args: list[Node] = []
        expand = False
        while not self.accept(")"):
            args.append(self.expr())
            if self.accept("..."):
                expand = True
            if not self.accept(","):
                self.expect(")")
                break
        return ("call", name, args, expand)

    def _is_for(self) -> bool:
        a, b = self.peek(), self.peek(1)
        return a == ("ident", "for") and b is not None and b[0] == "ident"

    def _for_head(self) -> tuple[str | None, str, Node]:
        self.take()  # `for`
        first = self.take()
        second: tuple[str, str] | None = None
        if self.accept(","):
            second = self.take()
        kind, word = self.take()
        if word != "in" or first[0] != "ident" or (second is not None and second[0] != "ident"):
            raise self.error("malformed `for` expression")
        coll = self.expr()
        self.expect(":")
        if second is None:
            return None, first[1], coll
        return first[1], second[1], coll

    def tuple_or_for(self) -> Node:
        if self._is_for():
            k, v, coll = self._for_head()
            body = self.expr()
            cond = self.expr() if self._accept_ident("if") else None
            self.expect("]")
            return ("for", False, k, v, coll, None, body, cond, False)
        items: list[Node] = []
        while not self.accept("]"):
            items.append(self.expr())
            if not self.accept(","):
                self.expect("]")
                break
        return ("tuple", items)

    def _accept_ident(self, word: str) -> bool:
        if self.peek() == ("ident", word):
            self._next()
            return True
        return False

    def object_or_for(self) -> Node:
        if self._is_for():
            k, v, coll = self._for_head()
            key = self.expr()
            self.expect("=>")
            val = self.expr()
            group = self.accept("...")
            cond = self.expr() if self._accept_ident("if") else None
            self.expect("}")
            return ("for", True, k, v, coll, key, val, cond, group)
        pairs: list[tuple[Node, Node]] = []
        while not self.accept("}"):
            key = self.expr()
            if key[0] == "var":
                key = ("lit", key[1])  # a bare name is a literal key
            elif key[0] == "paren":
                key = key[1]
            if not self.accept("="):
                self.expect(":")
            pairs.append((key, self.expr()))
            self.accept(",")
        return ("object", pairs)

    # ---- templates -----------------------------------------------------------------------
    def template(self, closer: str | None, stop: tuple[str, ...] = ()) -> list[Any]:
        """Template parts up to the closing quote (or the end of a heredoc body when `closer` is
        None), stopping before a `%{else}` / `%{endif}` / `%{endfor}` named in `stop`."""
        parts: list[Any] = []
        buf: list[str] = []
        src = self.src
        while True:
            if self.pos >= len(src):
                if closer is None and not stop:
                    break
                raise self.error("unterminated string")
            ch = src[self.pos]
            if closer is not None and ch == closer:
                self.pos += 1
                break
            if ch == "\\" and closer is not None:
                nxt = src[self.pos + 1 : self.pos + 2]
                if nxt == "u" or nxt == "U":
                    width = 4 if nxt == "u" else 8
                    code = src[self.pos + 2 : self.pos + 2 + width]
                    try:
                        buf.append(chr(int(code, 16)))
                    except ValueError:
                        raise self.error("bad unicode escape") from None
                    self.pos += 2 + width
                    continue
                buf.append(_ESCAPES.get(nxt, "\\" + nxt))
                self.pos += 2
                continue
            if src.startswith("$${", self.pos) or src.startswith("%%{", self.pos):
                buf.append(ch + "{")
                self.pos += 3
                continue
            if src.startswith("${", self.pos):
                if buf:
                    parts.append("".join(buf))
                    buf = []
                self.pos += 2
                self.accept("~")
                node = self.expr()
                self.accept("~")
                self.expect("}")
                parts.append(("interp", node))
                continue
            if src.startswith("%{", self.pos):
                save = self.pos
                self.pos += 2
                self.accept("~")
                word = self.peek()
                if word is not None and word[0] == "ident" and word[1] in stop:
                    self.pos = save
                    break
                if buf:
                    parts.append("".join(buf))
                    buf = []
                parts.append(self._directive(closer))
                continue
            buf.append(ch)
            self.pos += 1
        if buf:
            parts.append("".join(buf))
        return parts

    def _directive_end(self) -> None:
        self.accept("~")
        self.expect("}")

    def _directive(self, closer: str | None) -> Any:
        kind, word = self.take()
        if word == "if":
            cond = self.expr()
            self._directive_end()
            then = self.template(closer, ("else", "endif"))
            other: list[Any] = []
            self.pos += 2
            self.accept("~")
            if self._accept_ident("else"):
                self._directive_end()
                other = self.template(closer, ("endif",))
                self.pos += 2
                self.accept("~")
            if not self._accept_ident("endif"):
                raise self.error("`%{if}` without `%{endif}`")
            self._directive_end()
            return ("if", cond, then, other)
        if word == "for":
            first = self.take()[1]
            second = self.take()[1] if self.accept(",") else None
            if self.take()[1] != "in":
                raise self.error("malformed `%{for}`")
            coll = self.expr()
            self._directive_end()
            body = self.template(closer, ("endfor",))
            self.pos += 2
            self.accept("~")
            if not self._accept_ident("endfor"):
                raise self.error("`%{for}` without `%{endfor}`")
            self._directive_end()
            k, v = (first, second) if second is not None else (None, first)
            return ("for", k, v, coll, body)
        raise self.error(f"unknown template directive `{excerpt(word, 20)}`")

    def heredoc(self, opener: str) -> Node:
        strip = opener.startswith("<<-")
        marker = opener.lstrip("<-").strip()
        m = re.compile(rf"^[ \t]*{re.escape(marker)}[ \t]*$", re.M).search(self.src, self.pos)
        if m is None:
            raise self.error(f"heredoc `{excerpt(marker, 20)}` is not closed")
        body = self.src[self.pos : m.start()]
        self.pos = m.end()
        return ("tmpl", heredoc_parts(body, strip))


def heredoc_parts(body: str, strip: bool) -> list[Any]:
    if strip:
        lines = body.split("\n")
        indents = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip()]
        cut = min(indents) if indents else 0
        body = "\n".join(ln[cut:] for ln in lines)
    sub = Parser(body)
    return sub.template(None)


def parse_value_text(text: str) -> Node:
    """The AST of an attribute value as python-hcl2 gives it (see the module docstring)."""
    if text.startswith("${") and text.endswith("}"):
        inner = text[2:-1]
        p = Parser(inner)
        node = p.parse()
        return node
    if text.startswith('"<<') and text.endswith('"'):
        inner = text[1:-1]
        nl = inner.find("\n")
        opener, rest = inner[: nl + 1], inner[nl + 1 :]
        marker = opener.lstrip("<-").strip()
        if rest.rstrip().endswith(marker):
            rest = rest.rstrip()[: -len(marker)]
        return ("tmpl", heredoc_parts(rest, opener.startswith("<<-")))
    if text.startswith('"') and text.endswith('"') and len(text) >= 2:
        p = Parser(text)
        p.pos = 1
        parts = p.template('"')
        if p.pos != len(text):
            raise p.error("unexpected text after the string")
        return ("tmpl", parts)
    return ("lit", text)
