// cli/incident_commands.cc: `deconflict incidents import --acled FILE --url URL --token TOKEN`:
// an ACLED export (the current 31 columns or the older layout) sent to POST /v1/incidents/import
// in parts of at most --rows records and 1 MB (never split inside a quoted field), over
// --connections connections at once. The server reads and checks every row; a bad row is reported
// by its line in FILE and its column ("line 7, latitude: must be a number in [-90, 90]") and stores
// nothing, the others are stored. Exit 0 when every row was stored (or was already), 1 otherwise.
//
// `deconflict incidents finding --url --token --id ID --finding verified --confidence high
// [--attributed-party P] [--notes TEXT] --key FILE`: a guarantor's signed finding. Reads the
// incident's newest version (GET /v1/incidents/{id}), computes the object digest of
// docs/incidents_format.md (store::IncidentFindingDigest: the version's digest and every field
// of the finding), signs the statement with the key file (`keys generate`) and posts it.
#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include "boost/json.hpp"
#include "cli/commands.h"
#include "cli/exit.h"
#include "cli/server_url.h"
#include "common/digest.h"
#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"
#include "monitoring/acled.h"
#include "parties/acknowledgement.h"
#include "parties/signing_key.h"
#include "store/incidents_table.h"

namespace deconflict::cli {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = boost::asio::ip::tcp;

constexpr std::string_view kCommand = "incidents import";
// The server's request body limit (api/http_server.h max_body_bytes default), less headroom.
constexpr size_t kMaxBody = 1000 * 1000;

struct ImportArgs {
  std::string url = "http://127.0.0.1:8080";
  std::string token;
  std::string acled;
  size_t rows = 5000;
  int connections = 2;
};

struct Refusal {
  int64_t line = 0;
  std::string column, message;
};

struct Totals {
  std::mutex mu;
  int64_t created = 0, changed = 0, unchanged = 0;
  std::vector<Refusal> refused;
  std::string failure;  // the first transport or HTTP failure
};

absl::StatusOr<tcp::resolver::results_type> Resolve(boost::asio::io_context& ioc,
                                                    const Endpoint& endpoint) {
  tcp::resolver resolver(ioc);
  beast::error_code ec;
  auto results = resolver.resolve(endpoint.host, endpoint.port, ec);
  if (ec) {
    return absl::UnavailableError(
        fmt::format("cannot resolve {}:{}: {}", endpoint.host, endpoint.port, ec.message()));
  }
  return results;
}

// Sends chunks (taken in turn from `next`) on one connection until none is left or one fails.
void Worker(const ImportArgs& args, const Endpoint& endpoint, std::string_view header,
            const std::vector<monitoring::AcledChunk>& chunks, std::atomic<size_t>& next,
            Totals& totals) {
  boost::asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  absl::StatusOr<tcp::resolver::results_type> where = Resolve(ioc, endpoint);
  beast::error_code ec;
  if (where.ok()) stream.connect(*where, ec);
  if (!where.ok() || ec) {
    std::lock_guard lock(totals.mu);
    totals.failure = where.ok() ? fmt::format("cannot reach {}:{}: {}", endpoint.host,
                                              endpoint.port, ec.message())
                                : std::string(where.status().message());
    return;
  }
  for (size_t i; (i = next.fetch_add(1)) < chunks.size();) {
    const monitoring::AcledChunk& chunk = chunks[i];
    http::request<http::string_body> request{
        http::verb::post, fmt::format("/v1/incidents/import?line={}", chunk.first_line), 11};
    request.set(http::field::host, fmt::format("{}:{}", endpoint.host, endpoint.port));
    request.set(http::field::authorization, "Bearer " + args.token);
    request.set(http::field::content_type, "text/csv");
    request.keep_alive(true);
    request.body().reserve(header.size() + chunk.records.size());
    request.body().append(header).append(chunk.records);
    request.prepare_payload();
    stream.expires_after(std::chrono::seconds(120));
    http::write(stream, request, ec);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    if (!ec) http::read(stream, buffer, response, ec);
    std::lock_guard lock(totals.mu);
    if (ec) {
      totals.failure = fmt::format("lines from {}: no answer: {}", chunk.first_line, ec.message());
      return;
    }
    if (response.result_int() != 200) {
      totals.failure = fmt::format("lines from {}: HTTP {}: {}", chunk.first_line,
                                   response.result_int(), ErrorMessage(response.body()));
      return;
    }
    boost::system::error_code jec;
    json::value v = json::parse(response.body(), jec);
    if (jec || !v.is_object()) {
      totals.failure = fmt::format("lines from {}: the answer is not JSON", chunk.first_line);
      return;
    }
    const json::object& o = v.as_object();
    auto count = [&](const char* k) {
      const json::value* x = o.if_contains(k);
      return x && x->is_int64() ? x->get_int64() : 0;
    };
    totals.created += count("created");
    totals.changed += count("changed");
    totals.unchanged += count("unchanged");
    if (const json::value* r = o.if_contains("refused"); r && r->is_array()) {
      for (const json::value& x : r->as_array()) {
        const json::object& e = x.as_object();
        totals.refused.push_back(Refusal{.line = e.at("line").to_number<int64_t>(),
                                         .column = std::string(e.at("column").as_string()),
                                         .message = std::string(e.at("message").as_string())});
      }
    }
  }
}

int Import(const ImportArgs& args) {
  std::ifstream in(args.acled, std::ios::binary);
  if (!in) Die(kCommand, InvalidField("--acled", fmt::format("cannot read {}", args.acled)));
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = std::move(buffer).str();
  Endpoint endpoint;
  if (!ParseServerUrl(args.url, endpoint)) {
    Die(kCommand, InvalidField("--url", "must be http://HOST:PORT"));
  }
  if (args.rows == 0 || args.rows > 20000) {
    Die(kCommand, InvalidField("--rows", "must be between 1 and 20000"));
  }
  size_t last_rows = 0;  // records in chunks.back()
  if (args.connections < 1 || args.connections > 16) {
    Die(kCommand, InvalidField("--connections", "must be between 1 and 16"));
  }
  // Record by record, then grouped into requests of at most --rows records and kMaxBody bytes
  // (the server's body limit): real ACLED rows run from 300 bytes to several KiB of notes.
  auto [header, records] = ValueOrDie(kCommand, monitoring::SplitAcled(text, 1), args.acled);
  std::vector<monitoring::AcledChunk> chunks;
  for (const monitoring::AcledChunk& r : records) {
    if (header.size() + r.records.size() > kMaxBody) {
      Die(kCommand, LimitExceeded("--acled", fmt::format("the record at line {} is {} bytes; a "
                                                         "request holds at most {}",
                                                         r.first_line, r.records.size(),
                                                         kMaxBody - header.size())));
    }
    monitoring::AcledChunk* last = chunks.empty() ? nullptr : &chunks.back();
    if (last != nullptr && last_rows < args.rows &&
        header.size() + last->records.size() + r.records.size() <= kMaxBody &&
        last->records.data() + last->records.size() == r.records.data()) {
      last->records =
          std::string_view(last->records.data(), last->records.size() + r.records.size());
      ++last_rows;
    } else {
      chunks.push_back(r);
      last_rows = 1;
    }
  }
  const auto start = std::chrono::steady_clock::now();
  Totals totals;
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  for (int i = 0; i < args.connections; ++i) {
    workers.emplace_back(
        [&, header = header] { Worker(args, endpoint, header, chunks, next, totals); });
  }
  for (std::thread& t : workers) t.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::sort(totals.refused.begin(), totals.refused.end(),
            [](const Refusal& a, const Refusal& b) { return a.line < b.line; });
  for (const Refusal& r : totals.refused) {
    std::cerr << fmt::format("line {}, {}: {}\n", r.line, r.column, r.message);
  }
  const int64_t stored = totals.created + totals.changed;
  std::cout << fmt::format(
      "{} created, {} changed, {} unchanged, {} refused in {:.2f} s ({:.0f} rows/s)\n",
      totals.created, totals.changed, totals.unchanged, totals.refused.size(), seconds,
      static_cast<double>(stored + totals.unchanged + static_cast<int64_t>(totals.refused.size())) /
          std::max(seconds, 1e-9));
  if (!totals.failure.empty()) {
    Die(kCommand, absl::UnavailableError(totals.failure),
        "the rows before it were stored; run the import again (stored rows answer unchanged)");
  }
  return totals.refused.empty() ? 0 : 1;
}

struct FindingArgs {
  std::string url = "http://127.0.0.1:8080";
  std::string token, id, finding, confidence, attributed_party, notes, key;
  std::string party;  // the signer's id; default: GET /v1/me
};

// One request on a new connection: status and body.
absl::StatusOr<std::pair<int, std::string>> Call(const Endpoint& endpoint, http::verb verb,
                                                 const std::string& target,
                                                 const std::string& token,
                                                 const std::string& body = "") {
  boost::asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  ASSIGN_OR_RETURN(tcp::resolver::results_type where, Resolve(ioc, endpoint));
  beast::error_code ec;
  stream.connect(where, ec);
  if (ec) {
    return absl::UnavailableError(
        fmt::format("cannot reach {}:{}: {}", endpoint.host, endpoint.port, ec.message()));
  }
  http::request<http::string_body> request{verb, target, 11};
  request.set(http::field::host, fmt::format("{}:{}", endpoint.host, endpoint.port));
  request.set(http::field::authorization, "Bearer " + token);
  if (!body.empty()) request.set(http::field::content_type, "application/json");
  request.body() = body;
  request.prepare_payload();
  stream.expires_after(std::chrono::seconds(30));
  http::write(stream, request, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  if (!ec) http::read(stream, buffer, response, ec);
  if (ec) return absl::UnavailableError(fmt::format("no answer: {}", ec.message()));
  return std::pair{static_cast<int>(response.result_int()), response.body()};
}

int Finding(const FindingArgs& args) {
  constexpr std::string_view kFinding = "incidents finding";
  Endpoint endpoint;
  if (!ParseServerUrl(args.url, endpoint)) {
    Die(kFinding, InvalidField("--url", "must be http://HOST:PORT"));
  }
  const parties::PrivateSigningKey key =
      ValueOrDie(kFinding, parties::ReadPrivateKeyFile(args.key), "--key");
  auto get = [&](const std::string& target) {
    auto [status, body] =
        ValueOrDie(kFinding, Call(endpoint, http::verb::get, target, args.token), target);
    if (status != 200) {
      Die(kFinding, absl::FailedPreconditionError(
                        fmt::format("GET {}: HTTP {}: {}", target, status, ErrorMessage(body))));
    }
    return json::parse(body);
  };
  std::string party = args.party;
  if (party.empty()) party = std::string(get("/v1/me").at("party").as_string());
  const json::value view = get("/v1/incidents/" + args.id);
  const json::object& incident = view.at("incident").as_object();
  const int64_t version = incident.at("version").to_number<int64_t>();
  const std::optional<std::string> incident_digest =
      FromHex(std::string(incident.at("digest").as_string()));
  if (!incident_digest) Die(kFinding, absl::DataLossError("the incident's digest is not hex"));
  const std::string digest =
      store::IncidentFindingDigest(args.id, version, *incident_digest, args.finding,
                                   args.attributed_party, args.confidence, args.notes);
  const Timestamp now = Timestamp(std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch()));
  const std::string signature = ValueOrDie(
      kFinding,
      parties::SignAcknowledgement(
          key, parties::AckStatement{.kind = "incident.finding",
                                     .object_id = store::IncidentObjectId(args.id, version),
                                     .object_digest = digest,
                                     .party = PartyId(party),
                                     .time = now}));
  json::object body{{"finding", args.finding},
                    {"confidence", args.confidence},
                    {"version", version},
                    {"signature", Base64(signature)},
                    {"signed_at", parties::FormatAckTime(now)}};
  if (!args.attributed_party.empty()) body["attributed_party"] = args.attributed_party;
  if (!args.notes.empty()) body["notes"] = args.notes;
  auto [status, answer] = ValueOrDie(
      kFinding, Call(endpoint, http::verb::post, "/v1/incidents/" + args.id + "/findings",
                     args.token, json::serialize(body)));
  if (status != 201 && status != 200) {
    std::cerr << fmt::format("{}: HTTP {}: {}\n", kFinding, status, ErrorMessage(answer));
    return 1;
  }
  const json::value v = json::parse(answer);
  const json::object& f = v.at("findings").as_array().back().as_object();
  std::cout << fmt::format(
      "finding {} on {}/{} recorded (ledger index {}); status {}\n", args.finding, args.id, version,
      f.at("ledger_index").to_number<int64_t>(), std::string(v.at("status").as_string()));
  return 0;
}

}  // namespace

void AddIncidentCommands(CLI::App& app) {
  CLI::App* incidents = app.add_subcommand("incidents", "Ceasefire incidents");
  incidents->require_subcommand(1);
  auto args = std::make_shared<ImportArgs>();
  CLI::App* import = incidents->add_subcommand(
      "import", "Send an ACLED CSV export to the server (POST /v1/incidents/import)");
  import->add_option("--acled", args->acled, "ACLED CSV file (31 columns, header first)")
      ->required();
  import->add_option("--url", args->url, "Server URL. Default: http://127.0.0.1:8080");
  import->add_option("--token", args->token, "Your party's bearer token")->required();
  import->add_option("--rows", args->rows, "Records per request (1-20000). Default: 5000");
  import->add_option("--connections", args->connections,
                     "Requests in flight at once (1-16). Default: 2");
  import->callback([args] { std::exit(Import(*args));
});

auto f = std::make_shared<FindingArgs>();
CLI::App* finding = incidents->add_subcommand(
    "finding", "A guarantor's signed finding (POST /v1/incidents/{id}/findings)");
finding->add_option("--url", f->url, "Server URL. Default: http://127.0.0.1:8080");
finding->add_option("--token", f->token, "Your (guarantor) party's bearer token")->required();
finding->add_option("--id", f->id, "The incident")->required();
finding->add_option("--finding", f->finding, "verified, disputed or unverifiable")->required();
finding->add_option("--confidence", f->confidence, "low, medium or high")->required();
finding->add_option("--attributed-party", f->attributed_party, "Who did it, as you find");
finding->add_option("--notes", f->notes, "Your notes (signed with the rest)");
finding->add_option("--key", f->key, "Private key file (keys generate), registered for you")
    ->required();
finding->add_option("--party", f->party, "Your party id. Default: asked of GET /v1/me");
finding->callback([f] { std::exit(Finding(*f)); });
}  // namespace deconflict::cli

}  // namespace deconflict::cli
