// cli/sites_commands.cc: `deconflict sites import --geojson FILE --url URL --token TOKEN`: an
// agency's existing list of sites and movements, an RFC 7946 FeatureCollection (the form
// GET /v1/sites.geojson and /v1/movements.geojson write), filed one feature at a time with
// PUT /v1/sites/{id} or /v1/movements/{id} (api/humanitarian_json.h). A feature is a movement
// when its properties say "type": "movement" or its geometry is a LineString, else a site.
// Every feature is checked here first; each bad one is reported with its index and field
// ("features[3].properties.kind: ...") and nothing is sent unless all are good. Then each is
// sent; a refusal by the server is reported the same way and the others still go. Exit 0 when
// every feature was filed, 1 otherwise.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "api/humanitarian_json.h"
#include "boost/json.hpp"
#include "cli/commands.h"
#include "cli/exit.h"
#include "cli/server_url.h"
#include "common/clock.h"
#include "common/json.h"
#include "common/status.h"
#include "fmt/format.h"
#include "humanitarian/notification.h"

namespace deconflict::cli {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = boost::asio::ip::tcp;

struct ImportArgs {
  std::string url = "http://127.0.0.1:8080";
  std::string token;
  std::string geojson;
};

struct Answer {
  int status = 0;
  std::string body;
};

// One PUT over `stream` (kept alive across features).
absl::StatusOr<Answer> Put(beast::tcp_stream& stream, const Endpoint& endpoint,
                           const std::string& token, const std::string& target,
                           const std::string& body) {
  http::request<http::string_body> request{http::verb::put, target, 11};
  request.set(http::field::host, fmt::format("{}:{}", endpoint.host, endpoint.port));
  request.set(http::field::authorization, "Bearer " + token);
  request.set(http::field::content_type, "application/json");
  request.keep_alive(true);
  request.body() = body;
  request.prepare_payload();
  beast::error_code ec;
  stream.expires_after(std::chrono::seconds(30));
  http::write(stream, request, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  if (!ec) http::read(stream, buffer, response, ec);
  if (ec) return absl::UnavailableError(fmt::format("no answer: {}", ec.message()));
  return Answer{static_cast<int>(response.result_int()), response.body()};
}

// The domain's checks (window, kind, buffer, recipients' form, ...) with the field named where it
// is in the file: the geometry field is the feature's "geometry", the others its "properties".
absl::Status CheckFeature(const humanitarian::NotificationRequest& r, std::string_view path) {
  absl::Status status = humanitarian::ValidateNotification(r, SystemClock().Now());
  if (status.ok()) return status;
  const std::string field = FieldOf(status).value_or("");
  const std::string_view geometry = humanitarian::FieldsOf(r.kind).geometry;
  if (field.compare(0, geometry.size(), geometry) == 0 &&
      (field.size() == geometry.size() || field[geometry.size()] == '.' ||
       field[geometry.size()] == '[')) {
    // "location.coordinates[0]" -> "features[3].geometry.coordinates[0]".
    const std::string rest = field.substr(geometry.size());
    std::string_view message(status.message().data(), status.message().size());
    if (message.substr(0, field.size()) == field) message.remove_prefix(field.size() + 2);
    return FieldError(status.code(), fmt::format("{}.geometry{}", path, rest), message);
  }
  return WithFieldPrefix(std::move(status), fmt::format("{}.properties", path));
}

humanitarian::Kind KindOf(const json::value& feature) {
  const json::object* f = feature.if_object();
  if (f == nullptr) return humanitarian::Kind::kSite;
  if (const json::value* props = f->if_contains("properties"); props && props->is_object()) {
    if (const json::value* type = props->as_object().if_contains("type");
        type && type->is_string() && type->as_string() == "movement") {
      return humanitarian::Kind::kMovement;
    }
  }
  if (const json::value* g = f->if_contains("geometry"); g && g->is_object()) {
    if (const json::value* type = g->as_object().if_contains("type");
        type && type->is_string() && type->as_string() == "LineString") {
      return humanitarian::Kind::kMovement;
    }
  }
  return humanitarian::Kind::kSite;
}

int Import(const ImportArgs& args) {
  constexpr std::string_view kCommand = "sites import";
  std::ifstream in(args.geojson);
  if (!in) Die(kCommand, InvalidField("--geojson", fmt::format("cannot read {}", args.geojson)));
  std::stringstream text;
  text << in.rdbuf();
  json::value doc = ValueOrDie(kCommand, ParseJson(text.str()), args.geojson);
  JsonObject collection = ValueOrDie(kCommand, JsonObject::Of(doc, ""), args.geojson);
  const json::array* features = ValueOrDie(kCommand, collection.Array("features"), args.geojson);

  // 1. Every feature checked before anything is sent.
  std::vector<humanitarian::NotificationRequest> requests;
  int bad = 0;
  for (size_t i = 0; i < features->size(); ++i) {
    const std::string path = fmt::format("features[{}]", i);
    absl::StatusOr<humanitarian::NotificationRequest> r =
        api::ReadNotificationFeature(KindOf((*features)[i]), (*features)[i], path);
    if (r.ok()) {
      if (absl::Status checked = CheckFeature(*r, path); !checked.ok()) r = std::move(checked);
    }
    if (!r.ok()) {
      std::cerr << "feature " << i << ": " << r.status().message() << "\n";
      ++bad;
      continue;
    }
    requests.push_back(*std::move(r));
  }
  if (bad > 0) {
    std::cerr << fmt::format("{}: {} of {} features are invalid; nothing was sent\n", kCommand, bad,
                             features->size());
    return 1;
  }

  // 2. One PUT each, on one connection.
  Endpoint endpoint;
  if (!ParseServerUrl(args.url, endpoint)) {
    Die(kCommand, InvalidField("--url", "must be http://HOST:PORT"));
  }
  boost::asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  tcp::resolver resolver(ioc);
  beast::error_code ec;
  auto results = resolver.resolve(endpoint.host, endpoint.port, ec);
  if (!ec) stream.connect(results, ec);
  if (ec) {
    Die(kCommand, absl::UnavailableError(fmt::format("cannot reach {}:{}: {}", endpoint.host,
                                                     endpoint.port, ec.message())));
  }
  int filed = 0, unchanged = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    const humanitarian::NotificationRequest& r = requests[i];
    const std::string target = fmt::format("/v1/{}s/{}", humanitarian::KindName(r.kind), r.id);
    absl::StatusOr<Answer> answer =
        Put(stream, endpoint, args.token, target, json::serialize(api::NotificationBody(r)));
    if (!answer.ok()) Die(kCommand, answer.status(), fmt::format("feature {}", i));
    if (answer->status == 201 || answer->status == 200) {
      (answer->status == 201 ? filed : unchanged) += 1;
      continue;
    }
    ++bad;
    std::cerr << fmt::format("feature {} ({} {}): HTTP {}: {}\n", i, humanitarian::KindName(r.kind),
                             r.id, answer->status, ErrorMessage(answer->body));
  }
  std::cout << fmt::format("{} filed, {} unchanged, {} refused ({} features)\n", filed, unchanged,
                           bad, requests.size());
  return bad == 0 ? 0 : 1;
}

}  // namespace

void AddSitesCommands(CLI::App& app) {
  CLI::App* sites = app.add_subcommand("sites", "Humanitarian sites and movements");
  sites->require_subcommand(1);
  auto args = std::make_shared<ImportArgs>();
  CLI::App* import = sites->add_subcommand(
      "import", "File every feature of a GeoJSON FeatureCollection (PUT /v1/sites|movements/{id})");
  import->add_option("--geojson", args->geojson, "FeatureCollection file (RFC 7946, lon/lat)")
      ->required();
  import->add_option("--url", args->url, "Server URL. Default: http://127.0.0.1:8080");
  import->add_option("--token", args->token, "Your (humanitarian) party's bearer token")
      ->required();
  import->callback([args] { std::exit(Import(*args));
});
}  // namespace deconflict::cli

}  // namespace deconflict::cli
