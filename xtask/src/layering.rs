//! `cargo xtask ci`'s layering step: each library crate stands on its own.
//!
//! - A test suite that depends on `s7-mock` without default features compiles no CLI crate:
//!   `cargo tree -p s7-mock --no-default-features -e normal` lists none of [`CLI_CRATES`]
//!   (and, so that the check itself is known to work, the default tree lists all of them).
//! - Each library crate builds as a plain path dependency of a project outside the workspace.
//! - `cargo package` accepts the library crates together (and builds each from its package).

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::process::{cargo, step, workspace_root};
use crate::TaskResult;

/// The published library crates, lowest layer first, with the name code uses for each.
const LIBRARIES: [(&str, &str); 6] = [
    ("tpkt", "tpkt"),
    ("cotp", "cotp"),
    ("iso-tcp", "iso_tcp"),
    ("s7comm", "s7comm"),
    ("s7-client", "s7_client"),
    ("s7-mock", "s7_mock"),
];

/// Crates only the mock's command line needs.
const CLI_CRATES: [&str; 3] = ["clap", "ctrlc", "tracing-subscriber"];

/// Runs the three checks.
pub(crate) fn run() -> TaskResult {
    mock_without_cli()?;
    standalone()?;
    package()
}

/// The names of the crates in `s7-mock`'s normal dependency tree with `features`.
fn mock_dependencies(features: &[&str]) -> Result<Vec<String>, String> {
    let output = cargo()
        .args(["tree", "-p", "s7-mock", "-e", "normal", "--prefix", "none"])
        .args(features)
        .output()
        .map_err(|e| format!("cargo tree: could not start: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo tree failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect())
}

fn mock_without_cli() -> TaskResult {
    println!("==> cargo tree -p s7-mock --no-default-features -e normal");
    let with_cli = mock_dependencies(&[])?;
    let missing: Vec<&str> = CLI_CRATES
        .iter()
        .copied()
        .filter(|name| !with_cli.iter().any(|dep| dep == name))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "the check is broken: s7-mock with default features should depend on {missing:?}"
        ));
    }
    let without = mock_dependencies(&["--no-default-features"])?;
    let leaked: Vec<&str> = CLI_CRATES
        .iter()
        .copied()
        .filter(|name| without.iter().any(|dep| dep == name))
        .collect();
    if !leaked.is_empty() {
        return Err(format!(
            "s7-mock without default features still depends on {leaked:?}"
        ));
    }
    println!(
        "s7-mock without default features: {} crates, none of {CLI_CRATES:?}",
        without.len()
    );
    Ok(())
}

/// One project per library crate, outside the workspace, depending on it by path alone.
fn standalone() -> TaskResult {
    let root = workspace_root();
    let base = root.join("target").join("standalone");
    for (package, ident) in LIBRARIES {
        let dir = base.join(package);
        write_project(&root, &dir, package, ident)
            .map_err(|e| format!("standalone project for {package}: {e}"))?;
        step(
            &format!("{package} as a path dependency outside the workspace"),
            Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
                .current_dir(&dir)
                .args(["check", "--quiet"])
                .env("CARGO_TARGET_DIR", base.join("target")),
        )?;
    }
    Ok(())
}

fn write_project(root: &Path, dir: &Path, package: &str, ident: &str) -> std::io::Result<()> {
    fs::create_dir_all(dir.join("src"))?;
    let crate_dir = root.join("crates").join(package);
    let manifest = format!(
        "[package]\nname = \"uses-{package}\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
         publish = false\n\n[dependencies]\n{package} = {{ path = {path:?} }}\n\n[workspace]\n",
        path = crate_dir.display().to_string(),
    );
    fs::write(dir.join("Cargo.toml"), manifest)?;
    fs::write(
        dir.join("src").join("lib.rs"),
        format!("//! Uses `{package}` from outside the workspace.\npub use {ident};\n"),
    )?;
    // The workspace's lock file, so the project builds the versions the workspace tests.
    fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))?;
    Ok(())
}

fn package() -> TaskResult {
    forget_stale_overlays();
    // Cargo takes the crates of the overlay for immutable, so an artifact built from an
    // earlier version of one of them would count as fresh: verify in a target dir of its own,
    // emptied first.
    let target = workspace_root().join("target").join("layering-package");
    let _ = fs::remove_dir_all(&target);
    let mut command = cargo();
    command
        .args(["package", "--allow-dirty", "--quiet"])
        .env("CARGO_TARGET_DIR", &target);
    for (package, _) in LIBRARIES {
        command.args(["-p", package]);
    }
    step("cargo package of the six library crates", &mut command)
}

/// `cargo package` verifies each crate against the others through a local registry overlay,
/// whose crates cargo extracts under `$CARGO_HOME/registry/src/-<hash>/` and then reuses
/// whenever the version matches: an extraction left by an earlier run would verify today's
/// crates against yesterday's sources. The overlay directories are the ones whose name starts
/// with `-` (they have no host); only this workspace's six crates are removed from them.
fn forget_stale_overlays() {
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")));
    let Some(src) = home.map(|h| h.join("registry").join("src")) else {
        return;
    };
    let Ok(registries) = fs::read_dir(&src) else {
        return;
    };
    let version = env!("CARGO_PKG_VERSION");
    for registry in registries.flatten() {
        if !registry.file_name().to_string_lossy().starts_with('-') {
            continue;
        }
        for (package, _) in LIBRARIES {
            let stale = registry.path().join(format!("{package}-{version}"));
            if stale.is_dir() {
                if let Err(e) = fs::remove_dir_all(&stale) {
                    println!("could not remove {}: {e}", stale.display());
                }
            }
        }
    }
}
