// Interpreter checks that need no editor: what we ask a Python, how we read the answer, and which
// PYTHONPATH the server gets. Unit-tested in client/test/python.test.ts.

/** Printed as one JSON line by {@link INTERPRETER_CHECK_SCRIPT}. */
export interface InterpreterInfo {
  version: [number, number, number];
  executable: string;
  platform: string; // sys.platform
  machine: string; // platform.machine(), lower case
  implementation: string; // sys.implementation.name
  gradls: boolean; // the environment itself can import gradls
  libcst: boolean; // ... and libcst (native; only some quick fixes need it)
}

export const MIN_PYTHON: [number, number] = [3, 10];

/** Run as `<python> -c SCRIPT` from a neutral working directory. Never imports the packages it looks for. */
export const INTERPRETER_CHECK_SCRIPT = [
  // `-c` puts the working directory first on sys.path: drop it before importing anything, so a stray re.py or
  // json.py there cannot shadow the standard library
  'import sys',
  'sys.path[:] = [p for p in sys.path if p not in ("", ".")]',
  'import json, platform, importlib.util as u',
  'def has(m):',
  '    try:',
  '        return u.find_spec(m) is not None',
  '    except Exception:',
  '        return False',
  'print(json.dumps({"version": list(sys.version_info[:3]), "executable": sys.executable,',
  '  "platform": sys.platform, "machine": platform.machine().lower(),',
  '  "implementation": sys.implementation.name, "gradls": has("gradls"), "libcst": has("libcst")}))',
].join('\n');

/** Parses the check script's output (the last JSON line; interpreters may print banners before it). */
export function parseInterpreterInfo(stdout: string): InterpreterInfo {
  const lines = stdout.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.startsWith('{'));
  if (lines.length === 0) {
    throw new Error(`no interpreter information in output: ${JSON.stringify(stdout.slice(0, 200))}`);
  }
  const raw = JSON.parse(lines[lines.length - 1]) as Partial<InterpreterInfo>;
  const v = raw.version;
  if (!Array.isArray(v) || v.length < 2 || !v.every((n) => typeof n === 'number')) {
    throw new Error(`bad version in interpreter information: ${JSON.stringify(v)}`);
  }
  return {
    version: [v[0], v[1], v[2] ?? 0],
    executable: String(raw.executable ?? ''),
    platform: String(raw.platform ?? ''),
    machine: String(raw.machine ?? ''),
    implementation: String(raw.implementation ?? 'cpython'),
    gradls: raw.gradls === true,
    libcst: raw.libcst === true,
  };
}

export function versionString(info: Pick<InterpreterInfo, 'version'>): string {
  return info.version.join('.');
}

/** undefined when the interpreter can run the server, else the reason it cannot. */
export function unsupportedReason(info: InterpreterInfo): string | undefined {
  const [maj, min] = info.version;
  if (maj < MIN_PYTHON[0] || (maj === MIN_PYTHON[0] && min < MIN_PYTHON[1])) {
    return `Python ${versionString(info)} is too old: gradls needs Python >= ${MIN_PYTHON.join('.')}`;
  }
  return undefined;
}

/**
 * Folder name under bundled/native/ holding the libcst build for this interpreter,
 * e.g. "cp311-linux-x86_64". libcst ships only CPython-version- and platform-specific wheels.
 */
export function nativeKey(info: InterpreterInfo): string | undefined {
  if (info.implementation !== 'cpython') {
    return undefined;
  }
  const machine = info.machine === 'amd64' ? 'x86_64' : info.machine === 'arm64' ? 'aarch64' : info.machine;
  return `cp${info.version[0]}${info.version[1]}-${info.platform}-${machine}`;
}

/**
 * The libcst builds one bundled/native/<platform>-<machine> folder offers: its libcst package carries
 * native.cpython-3XY-*.so for each CPython minor. Returns nativeKey -> folder to put on PYTHONPATH.
 */
export function nativeBuilds(platformDir: string, folder: string, libcstFiles: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of libcstFiles) {
    const m = /^native\.cpython-(\d)(\d+)[-.]/.exec(f);
    if (m) {
      out.set(`cp${m[1]}${m[2]}-${platformDir}`, folder);
    }
  }
  return out;
}

export type ImportStrategy = 'useBundled' | 'fromEnvironment';

export interface ServerLaunchPlan {
  /** what goes first on the server's PYTHONPATH (may be empty) */
  pythonPath: string[];
  /** 'bundled' or 'environment': where `import gradls` is resolved */
  source: 'bundled' | 'environment';
  /** whether the server will be able to import libcst */
  libcst: boolean;
  /** human-readable, logged */
  reason: string;
}

/**
 * Decides where the server's packages come from.
 * - fromEnvironment and the interpreter has gradls: use it as is.
 * - otherwise the bundled pure-Python libraries (gradls, pygls, lsprotocol, cattrs, attrs...) go first on
 *   PYTHONPATH, plus the bundled libcst build matching this interpreter when the vsix carries one.
 */
export function planServerLaunch(opts: {
  strategy: ImportStrategy;
  info: InterpreterInfo;
  bundledLibs: string | undefined; // undefined: the extension has no bundled libs (a dev checkout before the build)
  nativeDirs: Map<string, string>; // nativeKey -> absolute folder
}): ServerLaunchPlan {
  const { strategy, info, bundledLibs, nativeDirs } = opts;
  if (strategy === 'fromEnvironment' && info.gradls) {
    return {
      pythonPath: [],
      source: 'environment',
      libcst: info.libcst,
      reason: `importStrategy=fromEnvironment and ${info.executable} can import gradls`,
    };
  }
  if (!bundledLibs) {
    return {
      pythonPath: [],
      source: 'environment',
      libcst: info.libcst,
      reason: info.gradls
        ? 'this build of the extension has no bundled libraries; using the gradls installed in the interpreter'
        : 'this build of the extension has no bundled libraries and the interpreter has no gradls (run scripts/build-vsix.sh)',
    };
  }
  const key = nativeKey(info);
  const native = key ? nativeDirs.get(key) : undefined;
  const why =
    strategy === 'fromEnvironment'
      ? `importStrategy=fromEnvironment but ${info.executable} cannot import gradls: falling back to the bundled copy`
      : 'importStrategy=useBundled';
  let libcstNote: string;
  if (native) {
    libcstNote = `bundled libcst for ${key}`;
  } else if (info.libcst) {
    libcstNote = "libcst from the interpreter's environment";
  } else {
    libcstNote = `no libcst for ${key ?? info.implementation} (quick fixes that rewrite code with libcst are unavailable; pip install libcst into this interpreter to enable them)`;
  }
  return {
    pythonPath: native ? [bundledLibs, native] : [bundledLibs],
    source: 'bundled',
    libcst: Boolean(native) || info.libcst,
    reason: `${why}; ${libcstNote}`,
  };
}

/** PYTHONPATH value: ours first, then whatever the user's environment had. */
export function joinPythonPath(ours: string[], existing: string | undefined, delimiter: string): string | undefined {
  const parts = [...ours, ...(existing ? existing.split(delimiter).filter(Boolean) : [])];
  return parts.length ? parts.join(delimiter) : undefined;
}
