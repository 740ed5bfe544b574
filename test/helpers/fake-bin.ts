/**
 * Fake peer tools on the peer's PATH: `nvidia-smi` prints what the test last set (and exits with
 * the status it set), `systemctl --user restart <unit>` runs the unit's script the test wrote.
 * Both log their arguments, so a test can prove what the peer was asked to run.
 */
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const NVIDIA_SMI = `#!/bin/sh
d=$(dirname "$0")
printf '%s\\n' "$*" >> "$d/nvidia-smi.calls"
cat "$d/nvidia-smi.out" 2>/dev/null
exit "$(cat "$d/nvidia-smi.rc" 2>/dev/null || echo 0)"
`;

const SYSTEMCTL = `#!/bin/sh
d=$(dirname "$0")
printf '%s\\n' "$*" >> "$d/systemctl.calls"
if [ "$1" = --user ] && [ "$2" = restart ] && [ -f "$d/units/$3" ]; then exec sh "$d/units/$3"; fi
echo "Failed to restart $3: Unit $3 not found." >&2
exit 5
`;

export class FakeBin {
  private constructor(readonly dir: string) {}

  static async create(parent: string): Promise<FakeBin> {
    const dir = join(parent, 'fakebin');
    await mkdir(join(dir, 'units'), { recursive: true });
    const bin = new FakeBin(dir);
    await bin.installNvidiaSmi();
    await writeFile(join(dir, 'systemctl'), SYSTEMCTL, { mode: 0o755 });
    return bin;
  }

  /** PATH for the peer: the fakes first, then the usual system folders. */
  get path(): string {
    return `${this.dir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
  }

  async installNvidiaSmi(): Promise<void> {
    await writeFile(join(this.dir, 'nvidia-smi'), NVIDIA_SMI, { mode: 0o755 });
    await chmod(join(this.dir, 'nvidia-smi'), 0o755);
  }

  /** The next nvidia-smi runs print `out` and exit with `rc`. */
  async setNvidiaSmi(out: string, rc = 0): Promise<void> {
    await writeFile(join(this.dir, 'nvidia-smi.out'), out);
    await writeFile(join(this.dir, 'nvidia-smi.rc'), String(rc));
  }

  async removeNvidiaSmi(): Promise<void> {
    await rm(join(this.dir, 'nvidia-smi'), { force: true });
  }

  /** `systemctl --user restart <unit>` runs this shell script. */
  async setUnit(unit: string, script: string): Promise<void> {
    await writeFile(join(this.dir, 'units', unit), script, { mode: 0o644 });
  }

  /** The argument lines the tool was called with, oldest first. */
  async calls(tool: 'nvidia-smi' | 'systemctl'): Promise<string[]> {
    const text = await readFile(join(this.dir, `${tool}.calls`), 'utf8').catch(() => '');
    return text.split('\n').filter((l) => l !== '');
  }
}

/** nvidia-smi CSV lines (index, temperature °C, draw W, limit W, memory MiB). */
export function gpuLines(...gpus: [number, number, number, number, number][]): string {
  return gpus.map((g) => g.join(', ')).join('\n') + '\n';
}
