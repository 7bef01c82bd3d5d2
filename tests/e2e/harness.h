// tests/e2e/harness.h: runs the real `deconflict` binary for end-to-end tests.
//
//   TempDir dir;
//   ServerProcess server(dir.path());          // deconflict serve --listen 127.0.0.1:0
//   ASSERT_TRUE(server.Start());
//   CliResult added = RunCli({"party", "add", "--data", dir.path(), "--id", "RU", ...});
//   HttpResult r = Http(server.port(), "PUT", "/v1/operations/" + id, body, token);
//   EXPECT_EQ(r.status, 201) << r.body;
//   server.Kill();                              // SIGKILL
//
// The binary is found through $DECONFLICT_BINARY (set by CTest), else build/release's.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "boost/json.hpp"

namespace deconflict::e2e {

std::string BinaryPath();

// A fresh directory under /tmp, removed with its contents at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs the binary with `args` and waits for it.
CliResult RunCli(const std::vector<std::string>& args);

// `deconflict serve --data DIR --listen 127.0.0.1:0` in a child process.
class ServerProcess {
 public:
  explicit ServerProcess(std::string data_dir, std::vector<std::string> extra_args = {});
  ~ServerProcess();  // stops the server if it runs
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts and waits for the "listening on" line (10 s at most). False with the reason in
  // error() otherwise.
  bool Start();
  int port() const { return port_; }
  const std::string& error() const { return error_; }
  // Everything the server printed on stdout before the "listening" line (the demo banner).
  const std::string& banner() const { return banner_; }
  // SIGTERM and wait: returns the exit status.
  int Stop();
  // SIGKILL and wait.
  void Kill();
  // Waits up to `timeout` for the server to exit by itself: its exit status, or -1 if it still
  // runs (it is left running).
  int WaitExit(int timeout_ms);
  pid_t pid() const { return pid_; }

 private:
  std::string data_dir_;
  std::vector<std::string> extra_args_;
  pid_t pid_ = -1;
  int port_ = 0;
  int stdout_fd_ = -1;
  std::string error_;
  std::string banner_;
};

struct HttpResult {
  int status = 0;  // 0: no answer (connection failed)
  std::string body;
  std::string content_type;
  boost::json::value json() const;  // null when the body is not JSON
};

// One request on a fresh connection to 127.0.0.1:port.
HttpResult Http(int port, const std::string& method, const std::string& target,
                const std::string& body = "", const std::string& token = "");

// A reusable keep-alive connection (for load in tests).
class HttpConnection {
 public:
  explicit HttpConnection(int port);
  ~HttpConnection();
  HttpResult Send(const std::string& method, const std::string& target, const std::string& body,
                  const std::string& token);

 private:
  struct Impl;
  Impl* impl_;
};

// Volume4D JSON of a circle / polygon, with the time window given as offsets from now.
std::string CircleVolume(double lat, double lng, double radius_m, double lo_m, double hi_m,
                         int start_offset_s, int end_offset_s);
std::string PolygonVolume(const std::vector<std::pair<double, double>>& vertices, double lo_m,
                          double hi_m, int start_offset_s, int end_offset_s);
// {"extents": [volumes...], "state": state, "key": key}
std::string OperationBody(const std::vector<std::string>& volumes,
                          const std::vector<std::string>& key = {},
                          const std::string& state = "Accepted");

// Adds a party through the CLI and returns its token ("" on failure, with the reason printed).
std::string AddParty(const std::string& data_dir, const std::string& id, const std::string& role);

// The offline proof of ledger entry `index` of the (stopped) store in `data_dir`: `ledger
// export --index` to a bundle, then `ledger verify` of it with the store's `ledger key`.
// Returns the verify run (exit 0 and the entry's action in `out` when it holds).
CliResult ExportAndVerify(const std::string& data_dir, int64_t index);

}  // namespace deconflict::e2e
