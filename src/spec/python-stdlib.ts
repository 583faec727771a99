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
