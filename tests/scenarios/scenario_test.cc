// Scenario files (*.test in this folder), one parameterised test each, run against the real
// binary. The grammar, one step per line ('#' starts a comment):
//
//   party NAME ROLE                         add a party through the CLI (server running or not)
//   revoke NAME                             revoke it through the CLI
//   as NAME put OP SHAPE alt LO HI time FROM TO [key OP...] [state STATE]
//                                           create OP (a name; the runner gives it a UUID)
//   as NAME update OP SHAPE alt ... [key OP...]   change OP with its last OVN seen
//   as NAME update OP using version N SHAPE ...   change OP with the OVN it had at version N
//   as NAME end OP                          DELETE with the last OVN seen
//   as NAME get OP | as NAME conflicts | as NAME me | as NAME mine (GET /v1/operations)
//   as NAME query SHAPE alt LO HI time FROM TO    POST /v1/operations/query over that area
//   as NAME again                           send NAME's previous request again, byte for byte
//   as NAME probes                          GET /v1/probes: who queried NAME's operations
//   as NAME events                          GET /v1/events after the last event NAME saw
//   expect STATUS [missing OP...] [conflicts OP...] [operations OP...] [field PATH]
//                 [state STATE] [whole [OP...]] [overlap-only [OP...]] [same ovn]
//                 [coarsened OP...] [exact OP...] [probed OP by PARTY N times]
//                 [territory-only [OP...]]
//                 [events [TYPE:NAME...]]
//   restart                                 SIGTERM the server and start it again
//   kill                                    SIGKILL the server and start it again
//   serve FLAG...                           restart the server with these `deconflict serve`
//                                           flags (kept for later restarts)
// The live picture (tracks, encounters):
//   as NAME track ID LAT LNG ALT_M GS_MPS TRK_DEG [VS_MPS]
//                                           POST /v1/tracks: one report of NAME's aircraft ID,
//                                           time now
//   as NAME tracks                          GET /v1/tracks
//   as NAME encounters | as NAME encounter N    GET /v1/encounters, /v1/encounters/N
//   as NAME ack N                           POST /v1/encounters/N/ack
//   as NAME await TYPE:ABOUT                fetch NAME's events until one is TYPE:ABOUT (at most
//                                           20 s); the answer is every event fetched meanwhile
//   expect STATUS [accepted N] [refused FIELD...] [tracks PARTY/ID...] [callsign PARTY/ID CS]
//                 [encounters N...] [acks PARTY...] [closed REASON]
//
// Encounter events are named by the encounter's number: `events encounter.opened:1`.
//
// The hotline (hotline_steps.h has the verbs: channel, send, suspend, resume, messages, key,
// ack CH MSG [signed|badly-signed]):
//   expect STATUS [seq N] [signed] [messages MSG...] [without TYPE:NAME...]
// "seq" is the channel sequence number of a send's answer; "signed" says an acknowledgement was
// signed; "messages" lists exactly, in order, the messages of a catch-up; "without" says none of
// these events is in the answer (e.g. an overdue raised a second time after a restart).
//
// Humanitarian notifications (humanitarian_steps.h has the verbs: site, movement, view, reads,
// remove, acknowledge ID [signed|badly-signed], site-conflicts, sites, movements):
//   expect STATUS [protected-missing ID...] [protected ID...] [reads PARTY:read|refused...]
//                 [recipients PARTY:STATE...] [met-by ID:PARTY...] [features ID...]
// In an operation's `key`, a site's or movement's ID stands for its OVN.
//
// Agreements (agreements_steps.h has the verbs: propose, approve, reject, proposal, list,
// agreement): expect STATUS [proposal-state STATE] [entries NAME...] [decided PARTY:DECISION...]
// In an operation's `key`, aor:ID stands for the OVN of the AOR that proposal ID agreed.
//
// Monitoring (incident_steps.h has the verbs: report, incident, find, reply, incident-stats):
//   expect STATUS [incident-status STATE] [findings PARTY:FINDING...] [groups KEY:COUNT...]
//
// SHAPE is `circle LAT LNG RADIUS_M` or `polygon LAT,LNG LAT,LNG LAT,LNG ...`; FROM and TO are
// offsets from now like +1h, +90m, -30s. "missing"/"conflicts"/"operations" list exactly the
// OPs expected. "whole" says the answer shows the operation (or each OP listed) in full, with
// its extents; "overlap-only" says it shows only id, party, state, OVN and the overlap. "same
// ovn" says the answer carries the OVN the operation had before this request. "coarsened"
// says a query shows each OP's overlap widened (~1 km, 15 min); "exact" that it does not.
// "events" lists exactly, in order, the events the last `as NAME events` returned, each as its
// type and the operation (or, for party.revoked, the party) it is about, e.g.
// `events operation.conflict:survey party.revoked:US`; a bare "events" says there were none.
// "territory-only" says a host sees the operation (GET) only as its "territory_overlap", or
// each OP listed (GET /v1/territory/operations) only as its overlap, never with an OVN.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/str_split.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/time.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"
#include "tests/scenarios/agreements_steps.h"
#include "tests/scenarios/hotline_steps.h"
#include "tests/scenarios/humanitarian_steps.h"
#include "tests/scenarios/incident_steps.h"

namespace deconflict::e2e {
namespace {

std::filesystem::path ScenarioDir() {
  const char* src = std::getenv("DECONFLICT_SOURCE_DIR");
  return std::filesystem::path(src ? src : DECONFLICT_DEFAULT_SOURCE_DIR) / "tests" / "scenarios";
}

std::vector<std::string> ScenarioFiles() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(ScenarioDir())) {
    if (entry.path().extension() == ".test") files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string NowRfc3339() { return FormatRfc3339(SystemClock().Now()); }

// "+1h30m" -> 5400, "-30s" -> -30.
int Offset(const std::string& text) {
  int sign = text[0] == '-' ? -1 : 1;
  size_t i = (text[0] == '-' || text[0] == '+') ? 1 : 0;
  int total = 0;
  while (i < text.size()) {
    size_t unit = text.find_first_of("hms", i);
    if (unit == std::string::npos)
      throw std::invalid_argument("time offset needs h, m or s: " + text);
    int value = std::stoi(text.substr(i, unit - i));
    total += value * (text[unit] == 'h' ? 3600 : text[unit] == 'm' ? 60 : 1);
    i = unit + 1;
  }
  return sign * total;
}

class Runner {
 public:
  explicit Runner(std::string file) : file_(std::move(file)) {}

  void Run() {
    std::ifstream in(ScenarioDir() / file_);
    ASSERT_TRUE(in) << "cannot read " << file_;
    server_ = std::make_unique<ServerProcess>(dir_.path());
    ASSERT_TRUE(server_->Start()) << server_->error();
    std::string line;
    while (std::getline(in, line)) {
      ++line_no_;
      if (size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
      std::vector<std::string> words;
      std::istringstream split(line);
      for (std::string w; split >> w;) words.push_back(w);
      if (words.empty()) continue;
      SCOPED_TRACE(file_ + ":" + std::to_string(line_no_) + ": " + line);
      Step(words);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }

 private:
  void Step(const std::vector<std::string>& w) {
    if (w[0] == "party") {
      ASSERT_EQ(w.size(), 3u);
      tokens_[w[1]] = AddParty(dir_.path(), w[1], w[2]);
      ASSERT_FALSE(tokens_[w[1]].empty());
    } else if (w[0] == "revoke") {
      ASSERT_EQ(RunCli({"party", "revoke", "--data", dir_.path(), "--id", w[1]}).exit_code, 0);
    } else if (w[0] == "restart" || w[0] == "kill") {
      if (w[0] == "restart") {
        ASSERT_EQ(server_->Stop(), 0);
      } else {
        server_->Kill();
      }
      server_ = std::make_unique<ServerProcess>(dir_.path(), serve_flags_);
      ASSERT_TRUE(server_->Start()) << server_->error();
    } else if (w[0] == "serve") {
      ASSERT_EQ(server_->Stop(), 0);
      serve_flags_.assign(w.begin() + 1, w.end());
      server_ = std::make_unique<ServerProcess>(dir_.path(), serve_flags_);
      ASSERT_TRUE(server_->Start()) << server_->error();
    } else if (w[0] == "as") {
      As(w);
    } else if (w[0] == "expect") {
      Expect(w);
    } else {
      FAIL() << "unknown step '" << w[0] << "'";
    }
  }

  std::string IdOf(const std::string& op) {
    auto [it, inserted] = ids_.try_emplace(op, "");
    if (inserted) it->second = NewUuid();
    return it->second;
  }

  // Parses SHAPE alt LO HI time FROM TO [key ...] [state S] starting at w[i].
  std::string Body(const std::vector<std::string>& w, size_t i) {
    std::string shape_kind = w.at(i++);
    std::vector<std::pair<double, double>> vertices;
    double lat = 0, lng = 0, radius = 0;
    if (shape_kind == "circle") {
      lat = std::stod(w.at(i++));
      lng = std::stod(w.at(i++));
      radius = std::stod(w.at(i++));
    } else {
      while (w.at(i) != "alt") {
        size_t comma = w[i].find(',');
        vertices.emplace_back(std::stod(w[i].substr(0, comma)), std::stod(w[i].substr(comma + 1)));
        ++i;
      }
    }
    EXPECT_EQ(w.at(i++), "alt");
    double lo = std::stod(w.at(i++)), hi = std::stod(w.at(i++));
    EXPECT_EQ(w.at(i++), "time");
    int from = Offset(w.at(i++)), to = Offset(w.at(i++));
    std::vector<std::string> key;
    std::string state = "Accepted";
    while (i < w.size()) {
      if (w[i] == "key") {
        for (++i; i < w.size() && w[i] != "state"; ++i) {
          const std::string& ovn = ovns_[w[i]];
          key.push_back(!ovn.empty()
                            ? ovn
                            : agreements_.Ovn(w[i]).value_or(humanitarian_.Ovn(w[i]).value_or("")));
        }
      } else if (w[i] == "state") {
        state = w.at(i + 1);
        i += 2;
      } else {
        ADD_FAILURE() << "unexpected '" << w[i] << "'";
        ++i;
      }
    }
    std::string volume = shape_kind == "circle" ? CircleVolume(lat, lng, radius, lo, hi, from, to)
                                                : PolygonVolume(vertices, lo, hi, from, to);
    return OperationBody({volume}, key, state);
  }

  // {"area_of_interest": SHAPE alt LO HI time FROM TO} starting at w[i].
  std::string Area(const std::vector<std::string>& w, size_t i) {
    const std::string body = Body(w, i);  // {"extents": [VOLUME], ...}
    const boost::json::value parsed = boost::json::parse(body);
    return boost::json::serialize(
        boost::json::object{{"area_of_interest", parsed.at("extents").at(0)}});
  }

  void As(const std::vector<std::string>& w) {
    const std::string& token = tokens_[w.at(1)];
    const std::string& verb = w.at(2);
    std::string op = w.size() > 3 ? w[3] : "";
    previous_ovn_ = ovns_[op];
    Sent sent;
    if (verb == "put") {
      sent = {"PUT", "/v1/operations/" + IdOf(op), Body(w, 4)};
    } else if (verb == "update") {
      if (w.size() > 6 && w[4] == "using" && w[5] == "version") {
        const std::string& old_ovn = ovn_at_version_[op][std::stoi(w[6])];
        ASSERT_FALSE(old_ovn.empty()) << op << " was never seen at version " << w[6];
        sent = {"PUT", "/v1/operations/" + IdOf(op) + "/" + old_ovn, Body(w, 7)};
      } else {
        sent = {"PUT", "/v1/operations/" + IdOf(op) + "/" + ovns_[op], Body(w, 4)};
      }
    } else if (verb == "query") {
      sent = {"POST", "/v1/operations/query", Area(w, 3)};
    } else if (verb == "again") {
      ASSERT_TRUE(sent_.contains(w[1])) << w[1] << " has sent nothing yet";
      sent = sent_[w[1]];
      op = last_op_[w[1]];
      previous_ovn_ = ovns_[op];
    } else if (std::optional<HotlineRequest> r = hotline_.Request(w)) {
      sent = {r->method, r->target, r->body};
    } else if (std::optional<HumanitarianRequest> r = humanitarian_.Request(w)) {
      sent = {r->method, r->target, r->body};
    } else if (std::optional<AgreementRequest> r = agreements_.Request(w)) {
      sent = {r->method, r->target, r->body};
    } else if (std::optional<IncidentRequest> r = incidents_.Request(w)) {
      sent = {r->method, r->target, r->body};
    }
    if (!sent.method.empty()) {
      sent_[w[1]] = sent;
      last_op_[w[1]] = op;
      last_ = Http(server_->port(), sent.method, sent.target, sent.body, token);
    } else if (verb == "me") {
      last_ = Http(server_->port(), "GET", "/v1/me", "", token);
    } else if (verb == "probes") {
      last_ = Http(server_->port(), "GET", "/v1/probes", "", token);
    } else if (verb == "events") {
      last_ = Http(server_->port(), "GET",
                   "/v1/events?limit=1000&after=" + std::to_string(events_seen_[w[1]]), "", token);
      if (last_.status == 200) {
        events_seen_[w[1]] = last_.json().at("next_after").to_number<int64_t>();
      }
    } else if (verb == "end") {
      last_ = Http(server_->port(), "DELETE", "/v1/operations/" + IdOf(op) + "/" + ovns_[op], "",
                   token);
    } else if (verb == "get") {
      last_ = Http(server_->port(), "GET", "/v1/operations/" + IdOf(op), "", token);
    } else if (verb == "conflicts") {
      last_ = Http(server_->port(), "GET", "/v1/conflicts", "", token);
    } else if (verb == "mine") {
      last_ = Http(server_->port(), "GET", "/v1/operations", "", token);
    } else if (verb == "track") {
      last_ = Http(server_->port(), "POST", "/v1/tracks", TrackBody(w), token);
    } else if (verb == "tracks") {
      last_ = Http(server_->port(), "GET", "/v1/tracks", "", token);
    } else if (verb == "encounters") {
      last_ = Http(server_->port(), "GET", "/v1/encounters", "", token);
    } else if (verb == "encounter") {
      last_ = Http(server_->port(), "GET", "/v1/encounters/" + w.at(3), "", token);
    } else if (verb == "ack") {
      last_ = Http(server_->port(), "POST", "/v1/encounters/" + w.at(3) + "/ack", "", token);
    } else if (verb == "await") {
      Await(w.at(1), token, w.at(3));
    } else {
      FAIL() << "unknown verb " << verb;
    }
    boost::json::value body = last_.json();
    if (body.is_object()) hotline_.Answered(w, last_.status, body);
    if (body.is_object()) humanitarian_.Answered(w, last_.status, body);
    if (body.is_object()) agreements_.Answered(w, last_.status, body);
    if (body.is_object()) incidents_.Answered(w, last_.status, body);
    if (body.is_object() && body.as_object().contains("operation")) {
      const auto& o = body.at("operation").as_object();
      if (o.contains("ovn") && (verb == "put" || verb == "update" || verb == "end" ||
                                verb == "get" || verb == "again")) {
        ovns_[op] = std::string(o.at("ovn").as_string());
        if (o.contains("version"))
          ovn_at_version_[op][o.at("version").to_number<int>()] = ovns_[op];
      }
    }
  }

  // {"tracks": [one report]} from `as NAME track ID LAT LNG ALT GS TRK [VS]`.
  static std::string TrackBody(const std::vector<std::string>& w) {
    boost::json::object report{{"id", w.at(3)},
                               {"time", NowRfc3339()},
                               {"lat", std::stod(w.at(4))},
                               {"lng", std::stod(w.at(5))},
                               {"alt_m", std::stod(w.at(6))},
                               {"gs_mps", std::stod(w.at(7))},
                               {"trk_deg", std::stod(w.at(8))},
                               {"vs_mps", w.size() > 9 ? std::stod(w[9]) : 0.0},
                               {"callsign", w.at(3).substr(0, 8)}};
    return boost::json::serialize(
        boost::json::object{{"tracks", boost::json::array{std::move(report)}}});
  }

  // Fetches `party`'s events until one is `want` (TYPE:ABOUT); last_ holds all of them.
  void Await(const std::string& party, const std::string& token, const std::string& want) {
    boost::json::array all;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    bool seen = false;
    while (!seen && std::chrono::steady_clock::now() < deadline) {
      HttpResult page =
          Http(server_->port(), "GET",
               "/v1/events?limit=1000&after=" + std::to_string(events_seen_[party]), "", token);
      ASSERT_EQ(page.status, 200) << page.body;
      const boost::json::value json = page.json();
      events_seen_[party] = json.at("next_after").to_number<int64_t>();
      for (const auto& item : json.at("events").as_array()) {
        all.push_back(item);
        if (EventName(item.as_object()) == want) seen = true;
      }
      if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ASSERT_TRUE(seen) << party << " never got " << want << " in 20 s; got "
                      << boost::json::serialize(all);
    last_.status = 200;
    last_.body = boost::json::serialize(boost::json::object{{"events", std::move(all)}});
  }

  // TYPE:ABOUT of an event: the operation's name, the encounter's number, or the party.
  std::string EventName(const boost::json::object& o) {
    if (std::optional<std::string> name = hotline_.EventName(o)) return *name;
    if (std::optional<std::string> name = humanitarian_.EventName(o)) return *name;
    if (std::optional<std::string> name = agreements_.EventName(o)) return *name;
    if (std::optional<std::string> name = incidents_.EventName(o)) return *name;
    const std::string type(o.at("type").as_string());
    if (o.contains("encounter")) return type + ":" + std::to_string(o.at("encounter").as_int64());
    if (o.contains("operation"))
      return type + ":" + NameOf(std::string(o.at("operation").as_string()));
    return type + ":" + std::string(o.at("party").as_string());
  }

  std::string NameOf(const std::string& id) {
    for (const auto& [name, uuid] : ids_) {
      if (uuid == id) return name;
    }
    return id;
  }

  void Expect(const std::vector<std::string>& w) {
    ASSERT_EQ(last_.status, std::stoi(w.at(1))) << last_.body;
    boost::json::value body = last_.json();
    for (size_t i = 2; i < w.size();) {
      const std::string& what = w[i++];
      std::set<std::string> want;
      auto take_names = [&] {
        static const std::set<std::string> kKeywords = {
            "missing",      "conflicts", "operations", "field",    "state",      "whole",
            "overlap-only", "same",      "coarsened",  "exact",    "probed",     "events",
            "accepted",     "refused",   "tracks",     "callsign", "encounters", "acks",
            "closed",       "seq",       "signed",     "messages", "without",    "territory-only"};
        for (;
             i < w.size() && !kKeywords.contains(w[i]) && !HumanitarianSteps::IsExpectation(w[i]) &&
             !AgreementSteps::IsExpectation(w[i]) && !IncidentSteps::IsExpectation(w[i]);
             ++i) {
          want.insert(w[i]);
        }
      };
      if (what == "whole" || what == "overlap-only" || what == "territory-only") {
        take_names();
        // The operation (GET) or each named one in the list (query).
        std::vector<boost::json::object> shown;
        if (want.empty()) {
          shown.push_back(body.at("operation").as_object());
        } else {
          for (const auto& item : body.at("operations").as_array()) {
            if (want.contains(NameOf(std::string(item.at("id").as_string()))))
              shown.push_back(item.as_object());
          }
          EXPECT_EQ(shown.size(), want.size()) << what << " in " << last_.body;
        }
        for (const auto& o : shown) {
          if (what == "whole") {
            EXPECT_TRUE(o.contains("extents")) << "not whole: " << boost::json::serialize(o);
          } else if (what == "territory-only") {
            // A host's view: the overlap with its territory, no volumes and no OVN.
            EXPECT_FALSE(o.contains("extents") || o.contains("label") || o.contains("ovn"))
                << "shows more than the overlap with the territory: " << boost::json::serialize(o);
            EXPECT_TRUE(want.empty() ? o.contains("territory_overlap") : o.contains("overlap"))
                << boost::json::serialize(o);
          } else {
            EXPECT_FALSE(o.contains("extents") || o.contains("label"))
                << "shows more than the overlap: " << boost::json::serialize(o);
            EXPECT_TRUE(o.contains("overlap") || o.contains("overlaps"))
                << boost::json::serialize(o);
          }
        }
      } else if (what == "coarsened" || what == "exact") {
        take_names();
        for (const auto& item : body.at("operations").as_array()) {
          const std::string name = NameOf(std::string(item.at("id").as_string()));
          if (!want.contains(name)) continue;
          want.erase(name);
          const bool coarse =
              item.as_object().contains("coarsened") && item.at("coarsened").as_bool();
          EXPECT_EQ(coarse, what == "coarsened") << name << " in " << last_.body;
        }
        EXPECT_TRUE(want.empty()) << "not in the answer: " << *want.begin();
      } else if (what == "probed") {
        // probed OP by PARTY N times
        const std::string id = IdOf(w.at(i));
        EXPECT_EQ(w.at(i + 1), "by");
        const std::string party = w.at(i + 2);
        const int times = std::stoi(w.at(i + 3));
        EXPECT_EQ(w.at(i + 4), "times");
        i += 5;
        bool found = false;
        for (const auto& item : body.at("probes").as_array()) {
          if (item.at("operation").as_string() == id && item.at("party").as_string() == party) {
            found = true;
            EXPECT_EQ(item.at("count").to_number<int>(), times) << last_.body;
          }
        }
        EXPECT_TRUE(found || times == 0)
            << "no probe of " << id << " by " << party << " in " << last_.body;
      } else if (what == "events") {
        std::vector<std::string> expected, got;
        for (; i < w.size() && w[i].find(':') != std::string::npos; ++i) expected.push_back(w[i]);
        for (const auto& item : body.at("events").as_array()) {
          got.push_back(EventName(item.as_object()));
        }
        EXPECT_EQ(got, expected) << last_.body;
      } else if (what == "seq") {
        EXPECT_EQ(body.at("seq").to_number<int64_t>(), std::stoll(w.at(i))) << last_.body;
        ++i;
      } else if (what == "signed") {
        EXPECT_TRUE(body.at("signed").as_bool()) << last_.body;
      } else if (what == "messages" && body.as_object().contains("next_after")) {
        std::vector<std::string> expected(w.begin() + static_cast<long>(i), w.end());
        i = w.size();
        EXPECT_EQ(hotline_.MessageNames(body), expected) << last_.body;
      } else if (what == "without") {
        std::set<std::string> unwanted(w.begin() + static_cast<long>(i), w.end());
        i = w.size();
        for (const auto& item : body.at("events").as_array()) {
          EXPECT_FALSE(unwanted.contains(EventName(item.as_object()))) << last_.body;
        }
      } else if (what == "accepted") {
        EXPECT_EQ(body.at("accepted").to_number<int>(), std::stoi(w.at(i))) << last_.body;
        ++i;
      } else if (what == "refused") {
        take_names();
        std::set<std::string> got;
        for (const auto& item : body.at("refused").as_array()) {
          got.insert(std::string(item.at("field").as_string()));
        }
        EXPECT_EQ(got, want) << last_.body;
      } else if (what == "tracks") {
        take_names();
        std::set<std::string> got;
        for (const auto& item : body.at("tracks").as_array()) {
          got.insert(std::string(item.at("party").as_string()) + "/" +
                     std::string(item.at("id").as_string()));
        }
        EXPECT_EQ(got, want) << last_.body;
      } else if (what == "callsign") {
        // callsign PARTY/ID CALLSIGN|none
        const std::string track = w.at(i), callsign = w.at(i + 1);
        i += 2;
        bool found = false;
        for (const auto& item : body.at("tracks").as_array()) {
          const auto& o = item.as_object();
          if (std::string(o.at("party").as_string()) + "/" + std::string(o.at("id").as_string()) !=
              track) {
            continue;
          }
          found = true;
          const std::string shown =
              o.contains("callsign") ? std::string(o.at("callsign").as_string()) : "none";
          EXPECT_EQ(shown, callsign) << track << " in " << last_.body;
        }
        EXPECT_TRUE(found) << track << " not in " << last_.body;
      } else if (what == "encounters") {
        take_names();
        std::set<std::string> got;
        for (const auto& item : body.at("encounters").as_array()) {
          got.insert(std::to_string(item.at("id").as_int64()));
        }
        EXPECT_EQ(got, want) << last_.body;
      } else if (what == "acks") {
        take_names();
        std::set<std::string> got;
        for (const auto& item : body.at("acknowledgements").as_array()) {
          got.insert(std::string(item.at("party").as_string()));
        }
        EXPECT_EQ(got, want) << last_.body;
      } else if (what == "closed") {
        EXPECT_EQ(body.at("state").as_string(), "closed") << last_.body;
        EXPECT_EQ(body.at("close_reason").as_string(), w.at(i)) << last_.body;
        ++i;
      } else if (what == "same") {
        EXPECT_EQ(w.at(i), "ovn");
        ++i;
        EXPECT_EQ(std::string(body.at("operation").at("ovn").as_string()), previous_ovn_)
            << last_.body;
      } else if (what == "missing" || what == "conflicts" || what == "operations") {
        take_names();
        std::set<std::string> got;
        const boost::json::array& list = body.at(what).as_array();
        for (const auto& item : list) {
          const auto& o = item.as_object();
          std::string id(o.contains("other") ? o.at("other").at("id").as_string()
                                             : o.at("id").as_string());
          got.insert(NameOf(id));
        }
        EXPECT_EQ(got, want) << what << " in " << last_.body;
      } else if (what == "field") {
        EXPECT_EQ(body.at("error").at("field").as_string(), w.at(i)) << last_.body;
        ++i;
      } else if (what == "state") {
        EXPECT_EQ(body.at("operation").at("state").as_string(), w.at(i)) << last_.body;
        ++i;
      } else if (HumanitarianSteps::IsExpectation(what)) {
        take_names();
        EXPECT_EQ(humanitarian_.Shown(what, body), want) << what << " in " << last_.body;
      } else if (AgreementSteps::IsExpectation(what)) {
        take_names();
        EXPECT_EQ(agreements_.Shown(what, body), want) << what << " in " << last_.body;
      } else if (IncidentSteps::IsExpectation(what)) {
        const size_t from = i;
        take_names();
        if (what == "findings") {  // in order
          const std::vector<std::string> listed(w.begin() + static_cast<long>(from),
                                                w.begin() + static_cast<long>(i));
          EXPECT_EQ(incidents_.ShownInOrder(what, body), listed) << last_.body;
        } else {
          EXPECT_EQ(incidents_.Shown(what, body), want) << what << " in " << last_.body;
        }
      } else {
        FAIL() << "unknown expectation " << what;
      }
    }
  }

  std::string file_;
  int line_no_ = 0;
  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  struct Sent {
    std::string method, target, body;
  };
  std::map<std::string, std::string> tokens_, ids_, ovns_;
  std::map<std::string, std::map<int, std::string>> ovn_at_version_;  // op -> version -> OVN
  std::map<std::string, Sent> sent_;                                  // party -> last request
  std::map<std::string, std::string> last_op_;                        // party -> its OP
  std::map<std::string, int64_t> events_seen_;  // party -> the last event seq it fetched
  std::string previous_ovn_;                    // the OVN of the OP before the last request
  std::vector<std::string> serve_flags_;        // `serve` step: flags for every later start
  HttpResult last_;
  HotlineSteps hotline_;
  HumanitarianSteps humanitarian_{hotline_};  // signs with hotline_'s keys
  AgreementSteps agreements_{hotline_};       // signs with hotline_'s keys
  IncidentSteps incidents_{hotline_};         // signs with hotline_'s keys
};

class Scenario : public ::testing::TestWithParam<std::string> {};

TEST_P(Scenario, Runs) { Runner(GetParam()).Run(); }

INSTANTIATE_TEST_SUITE_P(Files, Scenario, ::testing::ValuesIn(ScenarioFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param.substr(0, info.param.size() - 5);
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace deconflict::e2e
