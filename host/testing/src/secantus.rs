//! SecantusDB, the MongoDB-wire server the tests and the pool bench run on
//! (installed into `.venv` by `scripts/test.sh`; `NUMBOT_SECANTUSD` names
//! another). One launcher for both: the bench includes this file by path.

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

/// A SecantusDB process in memory on a free loopback port. It stops when
/// this value is dropped or its process exits: its keeper shell sees stdin
/// close.
pub struct Secantus {
    port: u16,
    pid: u32,
    _keeper: std::process::Child,
}

impl Secantus {
    /// Starts one, its output in `log`, and waits (30 s at most) until it
    /// listens.
    pub fn start(log: &Path) -> Secantus {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        Secantus::start_at(log, port, None)
    }

    /// Starts one on `port`; with `storage`, its data lives in that
    /// directory and every commit is synced, so that a server killed and
    /// started again on the same storage has every acknowledged write.
    pub fn start_at(log: &Path, port: u16, storage: Option<&Path>) -> Secantus {
        let bin = std::env::var_os("NUMBOT_SECANTUSD")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/secantusd-py")
            });
        assert!(
            bin.exists(),
            "{} is missing: MongoDB tests and benches need SecantusDB (`python3 -m venv .venv && .venv/bin/pip install SecantusDB==0.7.0b3`, done by scripts/test.sh) or NUMBOT_SECANTUSD",
            bin.display()
        );
        let storage = match storage {
            Some(dir) => format!("'{}' --sync-on-commit", dir.display()),
            None => ":memory:".into(),
        };
        let script = format!(
            "'{}' --host 127.0.0.1 --port {port} --storage-path {storage} >>'{}' 2>&1 & pid=$!; echo $pid; read _; kill $pid 2>/dev/null",
            bin.display(),
            log.display()
        );
        let mut keeper = std::process::Command::new("sh")
            .arg("-c")
            .arg(script)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("start SecantusDB");
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(keeper.stdout.take().expect("piped")),
            &mut line,
        )
        .expect("the server's pid");
        let pid = line.trim().parse().expect("the server's pid");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "SecantusDB did not listen on {port} within 30 s: see {}",
                log.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Secantus {
            port,
            pid,
            _keeper: keeper,
        }
    }

    /// Kills the server with SIGKILL, as a crash would, and waits until its
    /// port is free.
    pub fn kill(&self) {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &self.pid.to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpListener::bind(("127.0.0.1", self.port)).is_err()
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The connection string.
    pub fn uri(&self) -> String {
        format!("mongodb://127.0.0.1:{}/?directConnection=true", self.port)
    }
}
