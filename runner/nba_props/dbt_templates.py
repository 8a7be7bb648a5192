"""dbt's compiled Jinja templates, kept from one process to the next.

dbt renders every model, macro and test through Jinja templates built from strings
(`Environment.from_string`), so Jinja's own bytecode cache, which only serves templates loaded by name, never
applies: each process parses and compiles the same templates again. In a season's backfill that is about 240
templates and 0.9-1.4 s of the GIL. The runner keeps the compiled code objects in a file in the target path
and answers `jinja2.Environment.compile` from it.

A stored code object is reused only for the same template source compiled by the same kind of environment: the
key covers the source, the template name and file name, the environment class and its code generator, its
lexer settings, its extensions, and the name and calling convention of every filter and test (Jinja's code
generator emits different calls for filters that take the context). The file is keyed by the versions of
Python (code objects are version-specific), Jinja, dbt-core and dbt-common; another version starts an empty
cache. Errors are never cached (a template that fails to compile fails as before), and nothing is cached while
dbt's DBT_MACRO_DEBUGGING is on (it writes compiled sources to linecache or disk as a side effect).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from nba_props.cache_files import StoredCode, package_versions

FILE = "nba_props_jinja_code.marshal"
_PACKAGES = ("jinja2", "dbt-core", "dbt-common")
# The file keeps this process's templates first, then earlier ones up to this many (stale ones age out).
MAX_TEMPLATES = 4000

_store: StoredCode | None = None


def _callable_name(value: Any) -> str:
    if not callable(value):
        return repr(value)
    return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__qualname__)}"


def _environment_key(env: Any) -> str:
    """What of an environment shapes the code Jinja generates (see the module doc)."""

    def convention(functions: dict[str, Any]) -> list[tuple[str, str]]:
        return sorted((name, repr(getattr(f, "jinja_pass_arg", None))) for name, f in functions.items())

    parts = [
        _callable_name(type(env)),
        _callable_name(env.code_generator_class),
        [
            getattr(env, setting)
            for setting in (
                "block_start_string",
                "block_end_string",
                "variable_start_string",
                "variable_end_string",
                "comment_start_string",
                "comment_end_string",
                "line_statement_prefix",
                "line_comment_prefix",
                "trim_blocks",
                "lstrip_blocks",
                "newline_sequence",
                "keep_trailing_newline",
                "optimized",
                "is_async",
            )
        ],
        _callable_name(env.autoescape),
        _callable_name(env.finalize) + repr(getattr(env.finalize, "jinja_pass_arg", None)),
        sorted(env.extensions),
        convention(env.filters),
        convention(env.tests),
        sorted((k, repr(v)) for k, v in env.policies.items() if not callable(v)),
    ]
    return repr(parts)


def use_stored_templates(target_path: Path) -> None:
    """Make `jinja2.Environment.compile` answer from the file in TARGET_PATH (once a process)."""
    global _store
    if _store is not None:
        return
    import jinja2
    from dbt_common.clients import jinja as dbt_jinja

    store = _store = StoredCode(target_path / FILE, package_versions(_PACKAGES), MAX_TEMPLATES)
    compile_source = jinja2.Environment.compile

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):  # noqa: A001
        if raw or not isinstance(source, str) or dbt_jinja.MACRO_DEBUGGING:
            return compile_source(self, source, name, filename, raw, defer_init)
        key = hashlib.sha256(
            repr((_environment_key(self), source, name, filename, defer_init)).encode()
        ).hexdigest()
        return store.compiled(key, lambda: compile_source(self, source, name, filename, raw, defer_init))

    jinja2.Environment.compile = compile


def save_compiled_templates() -> None:
    """Write the file when this process compiled a template the file lacked."""
    if _store is not None:
        _store.save()
