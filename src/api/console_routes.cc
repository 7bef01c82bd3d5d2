#include "api/console_routes.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "api/reply.h"
#include "fmt/format.h"
#include "spdlog/spdlog.h"

namespace deconflict::api {
namespace {

constexpr char kNotBuilt[] =
    "this server has no built operator's console: the release build puts it in the `web` "
    "directory next to the binary (cmake --build --preset release, with npm installed); or "
    "run `npm ci && npm run build` in web/ and start serve with --web-root web/dist";

struct File {
  std::string content_type;
  std::string body;
};

std::string ContentTypeOf(const std::filesystem::path& path) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".pbf", "application/x-protobuf"},
      {".txt", "text/plain; charset=utf-8"},
  };
  auto it = kTypes.find(path.extension().string());
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

std::optional<std::string> ReadWhole(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A name Vite writes under assets/: no directory part, no leading dot.
bool IsAssetName(const std::string& name) {
  if (name.empty() || name.size() > 255 || name[0] == '.') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Reply FileReply(const File& file, bool immutable) {
  Reply reply{.status = 200, .content_type = file.content_type, .body = file.body, .headers = {}};
  reply.headers.emplace_back(
      "Content-Security-Policy",
      "default-src 'self'; script-src 'self'; worker-src 'self' blob:; child-src 'self' blob:; "
      "img-src 'self' data: blob: https:; style-src 'self' 'unsafe-inline'; font-src 'self' "
      "data:; connect-src 'self' ws: wss: https:; object-src 'none'; base-uri 'none'; "
      "frame-ancestors 'none'");
  reply.headers.emplace_back("X-Content-Type-Options", "nosniff");
  reply.headers.emplace_back("Referrer-Policy", "no-referrer");
  reply.headers.emplace_back("Cache-Control",
                             immutable ? "public, max-age=31536000, immutable" : "no-cache");
  return reply;
}

Reply NotFound(std::string message) { return ErrorReply(absl::NotFoundError(std::move(message))); }

}  // namespace

size_t AddConsoleRoutes(Router& router, const std::string& web_root) {
  auto index = std::make_shared<std::optional<File>>();
  auto assets = std::make_shared<std::map<std::string, File>>();
  if (!web_root.empty()) {
    const std::filesystem::path root(web_root);
    if (std::optional<std::string> html = ReadWhole(root / "index.html")) {
      *index = File{.content_type = ContentTypeOf("index.html"), .body = *std::move(html)};
      std::error_code ec;
      for (const auto& entry : std::filesystem::directory_iterator(root / "assets", ec)) {
        const std::string name = entry.path().filename().string();
        if (!entry.is_regular_file() || !IsAssetName(name)) continue;
        if (std::optional<std::string> body = ReadWhole(entry.path())) {
          (*assets)[name] = File{.content_type = ContentTypeOf(entry.path()), .body = *body};
        }
      }
      spdlog::info("console: {} files from {}", assets->size() + 1, web_root);
    } else {
      spdlog::warn("console: no {}/index.html; GET / answers 404", web_root);
    }
  }
  router.Add("GET", "/", [index](const Request&, Respond respond) {
    if (!index->has_value()) return respond(NotFound(kNotBuilt));
    respond(FileReply(**index, /*immutable=*/false));
  });
  router.Add("GET", "/assets/{file}", [index, assets](const Request& req, Respond respond) {
    if (!index->has_value()) return respond(NotFound(kNotBuilt));
    const std::string& name = req.path_params.at("file");
    auto it = IsAssetName(name) ? assets->find(name) : assets->end();
    if (it == assets->end()) {
      return respond(NotFound(fmt::format("no asset '{}' in this build of the console",
                                          IsAssetName(name) ? name : std::string("(bad name)"))));
    }
    respond(FileReply(it->second, /*immutable=*/true));
  });
  return index->has_value() ? assets->size() + 1 : 0;
}

}  // namespace deconflict::api
