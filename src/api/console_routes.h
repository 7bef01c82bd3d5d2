// api/console_routes.h: the operator's console (top-level web/, issue 14) served by
// `deconflict serve` at / from the same port as the API, so that the page needs no other server
// and its API calls are same-origin.
//
//   GET /                  web_root/index.html
//   GET /assets/{file}     web_root/assets/<file>: the page's scripts, styles and data (Vite puts
//                          every built file there, with a content hash in its name)
//
// The files are read once, when the routes are added: a rebuilt page is served after a restart.
// Without a built page (web_root empty or without index.html) both routes answer 404 saying how
// to build it; the API is unaffected. No authentication: the page holds no data; everything it
// shows comes from the API with the token the user types (api/authorized.h decides).
//
// Answers carry Content-Security-Policy (scripts only from the page itself; workers also from
// blob: for MapLibre; connections to the same origin, its WebSockets and https: tile servers),
// X-Content-Type-Options: nosniff and Referrer-Policy: no-referrer. index.html is
// "Cache-Control: no-cache"; hashed assets are immutable for a year.
//
// Thread-safety: the handlers only read what was loaded before the router was shared.
#pragma once

#include <string>

#include "api/http_server.h"

namespace deconflict::api {

// Adds GET / and GET /assets/{file}, serving the files of `web_root` (see above). Returns how many
// files were loaded (0: no page).
size_t AddConsoleRoutes(Router& router, const std::string& web_root);

}  // namespace deconflict::api
