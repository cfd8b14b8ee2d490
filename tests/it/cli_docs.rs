//! Shell completions and man pages, generated from the command line's definition.

use crate::support::*;

const COMMANDS: [&str; 11] = [
    "init",
    "pin",
    "check",
    "release",
    "verify",
    "deposit",
    "diff",
    "keygen",
    "completions",
    "man",
    "help",
];

#[test]
fn bash_completion_loads_and_completes_commands_and_options() {
    let script = run(archivist().args(["completions", "bash"]));
    assert_eq!(script.code, 0, "{}", script.stderr);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archivist.bash");
    std::fs::write(&path, &script.stdout).unwrap();
    // Load it in a real bash and ask it what `archivist di<TAB>` and `archivist release --pr<TAB>`
    // complete to.
    let probe = format!(
        "source {0}\n\
         complete -p archivist >/dev/null || exit 3\n\
         COMP_WORDS=(archivist di); COMP_CWORD=1; COMP_LINE='archivist di'; COMP_POINT=12\n\
         _archivist archivist di archivist; echo \"words: ${{COMPREPLY[*]}}\"\n\
         COMP_WORDS=(archivist release --pr); COMP_CWORD=2; COMP_LINE='archivist release --pr'; COMP_POINT=22\n\
         _archivist archivist --pr release; echo \"options: ${{COMPREPLY[*]}}\"\n",
        path.display()
    );
    let out = std::process::Command::new("bash")
        .args(["--norc", "-c", &probe])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("words: diff"), "{stdout}");
    assert!(stdout.contains("options: --previous"), "{stdout}");
}

#[test]
fn zsh_and_fish_completions_name_every_command() {
    for shell in ["zsh", "fish"] {
        let script = run(archivist().args(["completions", shell]));
        assert_eq!(script.code, 0, "{shell}: {}", script.stderr);
        for command in COMMANDS {
            assert!(script.stdout.contains(command), "{shell}: no `{command}`");
        }
    }
    let unknown = run(archivist().args(["completions", "tcsh"]));
    assert_eq!(unknown.code, 2);
}

#[test]
fn man_pages_render_and_document_every_command_and_the_exit_codes() {
    let page = run(archivist().arg("man"));
    assert_eq!(page.code, 0, "{}", page.stderr);
    assert!(page.stdout.contains(".TH archivist 1"), "{}", page.stdout);
    // Rendered by man(1) itself, as a user reads it.
    let dir = tempfile::tempdir().unwrap();
    let written = run(archivist().arg("man").arg("--out").arg(dir.path()));
    assert_eq!(written.code, 0, "{}", written.stderr);
    for command in COMMANDS {
        let file = dir.path().join(format!("archivist-{command}.1"));
        assert!(file.exists(), "no page for {command}");
    }
    let rendered = std::process::Command::new("man")
        .arg("-l")
        .arg(dir.path().join("archivist.1"))
        .env("MANWIDTH", "100")
        .output()
        .unwrap();
    assert!(
        rendered.status.success(),
        "{}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    // man(1) into a pipe still overstrikes bold (`S\x08S`): keep the last of each pair.
    let mut text = String::new();
    for c in String::from_utf8_lossy(&rendered.stdout).chars() {
        if c == '\u{8}' {
            text.pop();
        } else {
            text.push(c);
        }
    }
    for expected in [
        "SYNOPSIS",
        "EXIT STATUS",
        "ENVIRONMENT",
        "EXAMPLES",
        "ARCHIVIST_KEY_PASSWORD",
        "NO_COLOR",
        "diff",
    ] {
        assert!(text.contains(expected), "no `{expected}` in\n{text}");
    }
    assert!(!text.contains("EXTRA"), "an EXTRA section in\n{text}");
    // Every command's page has the three sections, and examples that run the command.
    for command in COMMANDS {
        let page =
            std::fs::read_to_string(dir.path().join(format!("archivist-{command}.1"))).unwrap();
        for section in ["EXIT STATUS", "ENVIRONMENT", "EXAMPLES"] {
            assert!(
                page.contains(&format!(".SH \"{section}\"")),
                "archivist-{command}.1 lacks {section}"
            );
        }
        assert!(
            !page.contains(".SH EXTRA"),
            "archivist-{command}.1 has EXTRA"
        );
        assert!(
            page.contains(&format!("archivist {command}")),
            "archivist-{command}.1: no example"
        );
    }
    let dataset = std::fs::read_to_string(dir.path().join("archivist-dataset.toml.5")).unwrap();
    assert!(
        dataset.contains(".TH archivist-dataset.toml 5"),
        "{dataset}"
    );
    let release = std::fs::read_to_string(dir.path().join("archivist-release.1")).unwrap();
    for option in ["previous", "sign", "first"] {
        assert!(
            release.contains(option),
            "archivist-release.1 lacks --{option}"
        );
    }
}
