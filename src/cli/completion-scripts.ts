/**
 * The shell side of `peer-comms completion <shell>`: small scripts that hand the words typed so
 * far to `peer-comms __complete --cur=<word> -- <words before it>` (completion.ts decides, from
 * the live command tree and the peers file) and offer its lines; a FILES line means "complete a
 * file name" and the shell does that itself. The current word goes as --cur=… so an empty one
 * survives every shell (Windows PowerShell drops empty arguments to native commands).
 */
import { FILES } from './completion';

export const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const;
export type Shell = (typeof SHELLS)[number];

const bash = `# peer-comms completion for bash. Install: peer-comms completion bash > ~/.local/share/bash-completion/completions/peer-comms
# (or add 'source <(peer-comms completion bash)' to ~/.bashrc)
_peer_comms_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" out line
  COMPREPLY=()
  out="$(peer-comms __complete "--cur=\${cur}" -- "\${COMP_WORDS[@]:1:COMP_CWORD-1}" 2>/dev/null)" || return 0
  while IFS= read -r line; do
    if [[ "\${line}" == "${FILES}" ]]; then
      compopt -o filenames 2>/dev/null
      while IFS= read -r line; do COMPREPLY+=("\${line}"); done < <(compgen -f -- "\${cur}")
    elif [[ -n "\${line}" ]]; then
      COMPREPLY+=("\${line}")
    fi
  done <<< "\${out}"
}
complete -F _peer_comms_complete peer-comms
`;

const zsh = `#compdef peer-comms
# peer-comms completion for zsh. Install: peer-comms completion zsh > "\${fpath[1]}/_peer-comms"
# (or add 'source <(peer-comms completion zsh)' to ~/.zshrc after compinit)
_peer_comms() {
  local -a out
  out=("\${(@f)$(peer-comms __complete "--cur=\${words[CURRENT]}" -- "\${(@)words[2,CURRENT-1]}" 2>/dev/null)}")
  out=(\${out:#})
  if (( \${out[(Ie)${FILES}]} )); then
    out=(\${out:#${FILES}})
    (( \${#out} )) && compadd -a out
    _files
    return
  fi
  (( \${#out} )) && compadd -a out
}
if [[ "\${funcstack[1]}" == "_peer_comms" ]]; then
  _peer_comms "$@"
else
  compdef _peer_comms peer-comms
fi
`;

const fish = `# peer-comms completion for fish. Install: peer-comms completion fish > ~/.config/fish/completions/peer-comms.fish
function __peer_comms_complete
    set -l words (commandline -opc)
    set -e words[1]
    set -l cur (commandline -ct)
    set -l out (peer-comms __complete "--cur=$cur" -- $words 2>/dev/null)
    for line in $out
        if test "$line" = "${FILES}"
            __fish_complete_path "$cur"
        else
            printf '%s\\n' $line
        end
    end
end
complete -c peer-comms -f -a '(__peer_comms_complete)'
`;

const powershell = `# peer-comms completion for PowerShell. Install: add this line to $PROFILE:
#   peer-comms completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName peer-comms -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    # the words before the cursor; the one being completed goes as --cur
    $words = @($commandAst.CommandElements | Select-Object -Skip 1 |
        Where-Object { $_.Extent.StartOffset -lt $cursorPosition } | ForEach-Object { $_.ToString() })
    if ($wordToComplete -ne '' -and $words.Count -gt 0) { $words = @($words | Select-Object -SkipLast 1) }
    $out = @(& peer-comms __complete "--cur=$wordToComplete" -- @words 2>$null)
    foreach ($line in $out) {
        if ($line -eq '${FILES}') {
            Get-ChildItem -Path "$wordToComplete*" -ErrorAction SilentlyContinue | ForEach-Object {
                [System.Management.Automation.CompletionResult]::new($_.Name, $_.Name, 'ProviderItem', $_.Name)
            }
        } elseif ($line -ne '') {
            [System.Management.Automation.CompletionResult]::new($line, $line, 'ParameterValue', $line)
        }
    }
}
`;

const SCRIPTS: Record<Shell, string> = { bash, zsh, fish, powershell };

export function completionScript(shell: Shell): string {
  return SCRIPTS[shell];
}
