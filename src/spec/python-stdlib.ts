/**
 * The public top-level modules of Python's standard library on Lambda's Python runtimes (python3.12 and
 * python3.13): `sys.stdlib_module_names` (https://docs.python.org/3/library/sys.html#sys.stdlib_module_names)
 * without the private `_` names and without the modules removed by 3.13 (PEP 594's dead batteries, PEP 632's
 * distutils, imp and lib2to3: https://docs.python.org/3.13/whatsnew/3.13.html#removed-modules-and-apis). A
 * handler module of one of these names with no file of that name in the code's folder is the standard library's:
 * `os.system` would call os.system.
 */
export const PYTHON_STDLIB_MODULES: ReadonlySet<string> = new Set(
  `
  abc antigravity argparse array ast asyncio atexit base64 bdb binascii bisect builtins bz2 calendar cmath cmd
  code codecs codeop collections colorsys compileall concurrent configparser contextlib contextvars copy copyreg
  cProfile csv ctypes curses dataclasses datetime dbm decimal difflib dis doctest email encodings ensurepip enum
  errno faulthandler fcntl filecmp fileinput fnmatch fractions ftplib functools gc genericpath getopt getpass
  gettext glob graphlib grp gzip hashlib heapq hmac html http idlelib imaplib importlib inspect io ipaddress
  itertools json keyword linecache locale logging lzma mailbox marshal math mimetypes mmap modulefinder msvcrt
  multiprocessing netrc nt ntpath nturl2path numbers opcode operator optparse os pathlib pdb pickle pickletools
  pkgutil platform plistlib poplib posix posixpath pprint profile pstats pty pwd py_compile pyclbr pydoc
  pydoc_data pyexpat queue quopri random re readline reprlib resource rlcompleter runpy sched secrets select
  selectors shelve shlex shutil signal site smtplib socket socketserver sqlite3 sre_compile sre_constants
  sre_parse ssl stat statistics string stringprep struct subprocess symtable sys sysconfig syslog tabnanny
  tarfile tempfile termios textwrap this threading time timeit tkinter token tokenize tomllib trace traceback
  tracemalloc tty turtle turtledemo types typing unicodedata unittest urllib uuid venv warnings wave weakref
  webbrowser winreg winsound wsgiref xml xmlrpc zipapp zipfile zipimport zlib zoneinfo
`
    .trim()
    .split(/\s+/),
);

/**
 * The standard-library modules already imported when the Python runtime imports the handler's module, on
 * python3.12 and python3.13. `import json` then returns the module in sys.modules, whatever the code's folder holds
 * (https://docs.python.org/3/reference/import.html#the-module-cache), so a handler module of one of these names
 * (or a module inside it: `json/app.handler`) is never the user's:
 * - modules built into the interpreter (Modules/Setup.bootstrap.in and the core: sys.builtin_module_names), which
 *   the runtime refuses by name ("Cannot use built-in module", Runtime.BuiltInModuleConflict);
 * - what starts every interpreter: `site` (https://docs.python.org/3/library/site.html) with `os` and its
 *   `abc`, `stat`, `posixpath`, `genericpath`, and `codecs`, `encodings`, `io` for the standard streams;
 * - the runtime's own imports before it loads the handler (aws/aws-lambda-python-runtime-interface-client
 *   awslambdaric/bootstrap.py: importlib, json, logging, os, sys, time, traceback; lambda_runtime_client.py:
 *   concurrent.futures; lambda_runtime_marshaller.py: decimal, math; lambda_runtime_log_utils.py: datetime, enum),
 *   and logging's (Lib/logging/__init__.py: io, re, traceback, warnings, weakref, collections, types, string,
 *   threading);
 * - the CORS wrapper's (src/runtime/lambda/cors.py: json, logging, re), which imports the handler in its place.
 */
export const PYTHON_PRELOADED_MODULES: ReadonlySet<string> = new Set(
  `
  atexit builtins errno faulthandler gc itertools marshal posix pwd sys time
  site os abc stat posixpath genericpath codecs encodings io
  importlib json logging traceback concurrent decimal math datetime enum
  re warnings weakref collections types string threading
`
    .trim()
    .split(/\s+/),
);
