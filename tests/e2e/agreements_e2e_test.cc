// Agreements through the real binary (issue 12, "Done means"): a three-party list entry agreed
// and then withdrawn, with ?at= showing both states; one rejection fails a proposal; an expired
// proposal fails; an operation inside another party's AOR refused, then accepted with the key;
// the host told of an operation inside its territory as the overlap only and of nothing outside;
// a signed decision proved offline; bad input answered with the field.
#include <cmath>
#include <thread>

#include "fmt/format.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace deconflict::e2e {
namespace {

namespace json = boost::json;

std::string Rfc3339(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string In(std::chrono::seconds d) { return Rfc3339(std::chrono::system_clock::now() + d); }

// A square of about 22 x 18 km around Palmyra (34.55 N, 38.27 E), GeoJSON lon/lat.
constexpr char kPalmyra[] =
    R"({"type": "Polygon", "coordinates": [[[38.15, 34.45], [38.39, 34.45], [38.39, 34.65],
        [38.15, 34.65], [38.15, 34.45]]]})";

std::string ListEntryBody(const std::string& op, const std::string& approvers,
                          std::chrono::seconds expires = std::chrono::hours(24)) {
  return R"({"kind": "list_entry", "content": {"list": "designated-groups", "op": ")" + op +
         R"(", "entry": {"name": "Group A", "aliases": ["GA"], "notes": "agreed in Astana"}},
             "approvers": )" +
         approvers + R"(, "expires_at": ")" + In(expires) + R"("})";
}

class AgreementsE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    ru_ = AddParty(dir_.path(), "RU", "operator");
    us_ = AddParty(dir_.path(), "US", "operator");
    tr_ = AddParty(dir_.path(), "TR", "operator");
    host_ = AddParty(dir_.path(), "HOST", "host");
    obs_ = AddParty(dir_.path(), "OBS", "observer");
    ASSERT_FALSE(ru_.empty() || us_.empty() || tr_.empty() || host_.empty() || obs_.empty());
  }
  void Start() {
    server_ = std::make_unique<ServerProcess>(dir_.path());
    ASSERT_TRUE(server_->Start()) << server_->error();
  }
  int port() const { return server_->port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  HttpResult Decide(const std::string& token, const std::string& id,
                    const std::string& decision = "approve", const std::string& extra = "") {
    return Http(port(), "POST", "/v1/proposals/" + id + "/decision",
                R"({"decision": ")" + decision + "\"" + extra + "}", token);
  }
  std::vector<std::string> ListNames(const std::string& query = "") {
    HttpResult list = Http(port(), "GET", "/v1/lists/designated-groups" + query, "", obs_);
    EXPECT_EQ(list.status, 200) << list.body;
    const json::value v = list.json();
    std::vector<std::string> names;
    for (const json::value& e : v.at("entries").as_array()) {
      names.emplace_back(e.at("name").as_string());
    }
    return names;
  }
  std::vector<json::object> EventsOf(const std::string& token, const std::string& type) {
    HttpResult events = Http(port(), "GET", "/v1/events?after=0&limit=1000", "", token);
    EXPECT_EQ(events.status, 200) << events.body;
    const json::value v = events.json();
    std::vector<json::object> out;
    for (const json::value& e : v.at("events").as_array()) {
      if (e.at("type").as_string() == type) out.push_back(e.as_object());
    }
    return out;
  }

  TempDir dir_;
  std::string ru_, us_, tr_, host_, obs_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(AgreementsE2E, AListEntryAgreedByThreePartiesThenWithdrawnAndAtShowsBoth) {
  Start();
  HttpResult proposed = Http(port(), "PUT", "/v1/proposals/add-group-a",
                             ListEntryBody("add", R"(["US", "TR"])"), ru_);
  ASSERT_EQ(proposed.status, 201) << proposed.body;
  EXPECT_EQ(proposed.json().at("state").as_string(), "open");
  EXPECT_EQ(
      Http(port(), "PUT", "/v1/proposals/add-group-a", ListEntryBody("add", R"(["US", "TR"])"), ru_)
          .status,
      200);  // the same proposal again
  EXPECT_EQ(EventsOf(us_, "proposal.created").size(), 1u);
  ASSERT_EQ(Decide(ru_, "add-group-a").status, 201);
  ASSERT_EQ(Decide(us_, "add-group-a").status, 201);
  EXPECT_TRUE(ListNames().empty());
  HttpResult agreed = Decide(tr_, "add-group-a");
  ASSERT_EQ(agreed.status, 201) << agreed.body;
  const json::value agreed_json = agreed.json();
  EXPECT_EQ(agreed_json.at("state").as_string(), "agreed");
  EXPECT_EQ(agreed_json.at("agreement").at("id").as_string(), "list/designated-groups/Group A");
  EXPECT_EQ(ListNames(), std::vector<std::string>{"Group A"});
  EXPECT_EQ(EventsOf(ru_, "agreement.made").size(), 1u);

  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // RFC 3339 has whole seconds
  const std::string between = Rfc3339(std::chrono::system_clock::now());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_EQ(Http(port(), "PUT", "/v1/proposals/remove-group-a",
                 ListEntryBody("remove", R"(["RU", "TR"])"), us_)
                .status,
            201);
  for (const std::string* t : {&ru_, &us_, &tr_})
    ASSERT_EQ(Decide(*t, "remove-group-a").status, 201);
  EXPECT_TRUE(ListNames().empty());
  EXPECT_EQ(ListNames("?at=" + between), std::vector<std::string>{"Group A"});
  EXPECT_EQ(Http(port(), "GET", "/v1/lists/designated-groups?at=yesterday", "", obs_).status, 400);
}

TEST_F(AgreementsE2E, OneRejectionFailsAProposalAndAnExpiredOneFailsToo) {
  Start();
  ASSERT_EQ(Http(port(), "PUT", "/v1/proposals/p1", ListEntryBody("add", R"(["US"])"), ru_).status,
            201);
  HttpResult rejected = Decide(us_, "p1", "reject");
  ASSERT_EQ(rejected.status, 201) << rejected.body;
  EXPECT_EQ(rejected.json().at("state").as_string(), "rejected");
  HttpResult late = Decide(ru_, "p1");
  EXPECT_EQ(late.status, 409) << late.body;
  EXPECT_EQ(late.json().at("error").at("field").as_string(), "decision");
  EXPECT_EQ(EventsOf(ru_, "proposal.failed").size(), 1u);

  ASSERT_EQ(Http(port(), "PUT", "/v1/proposals/p2",
                 ListEntryBody("add", R"(["US"])", std::chrono::seconds(2)), ru_)
                .status,
            201);
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  HttpResult expired = Http(port(), "GET", "/v1/proposals/p2", "", us_);
  ASSERT_EQ(expired.status, 200);
  EXPECT_EQ(expired.json().at("state").as_string(), "expired");
  EXPECT_EQ(Decide(us_, "p2").status, 409);
}

TEST_F(AgreementsE2E, AnOperationInsideAnotherPartysAorIsRefusedThenAcceptedWithTheKey) {
  Start();
  const std::string aor = R"({"kind": "area_of_responsibility", "content": {"party": "RU",
      "area": )" + std::string(kPalmyra) +
                          R"(, "altitude_lower_m": 0, "altitude_upper_m": 12000,
      "time_start": ")" + In(std::chrono::seconds(0)) +
                          R"(", "time_end": ")" + In(std::chrono::hours(24 * 30)) +
                          R"("}, "approvers": ["US"], "expires_at": ")" +
                          In(std::chrono::hours(1)) + R"("})";
  ASSERT_EQ(Http(port(), "PUT", "/v1/proposals/aor-palmyra", aor, ru_).status, 201);
  ASSERT_EQ(Decide(ru_, "aor-palmyra").status, 201);
  HttpResult agreed = Decide(us_, "aor-palmyra");
  ASSERT_EQ(agreed.status, 201) << agreed.body;
  const std::string ovn(agreed.json().at("agreement").at("ovn").as_string());

  // TR was no approver: it learns the AOR's name from the refusal, not its token.
  const std::string op = "00000000-0000-4000-8000-0000000000a1";
  const std::string body = OperationBody({CircleVolume(34.55, 38.27, 2000, 0, 3000, 600, 3600)});
  HttpResult refused = Http(port(), "PUT", "/v1/operations/" + op, body, tr_);
  ASSERT_EQ(refused.status, 409) << refused.body;
  const json::value refused_json = refused.json();
  ASSERT_EQ(refused_json.at("protected_missing").as_array().size(), 1u);
  EXPECT_EQ(refused_json.at("protected_missing").at(0).at("ref").as_string(), "aor/aor-palmyra");
  EXPECT_TRUE(refused_json.at("protected_missing").at(0).at("version").is_null());
  EXPECT_EQ(Http(port(), "GET", "/v1/agreements/aor/aor-palmyra", "", tr_).status, 404);

  // RU gives TR the token (over the hotline, say): accepted, and RU is told of the overlap.
  HttpResult accepted =
      Http(port(), "PUT", "/v1/operations/" + op,
           OperationBody({CircleVolume(34.55, 38.27, 2000, 0, 3000, 600, 3600)}, {ovn}), tr_);
  ASSERT_EQ(accepted.status, 201) << accepted.body;
  std::vector<json::object> told = EventsOf(ru_, "agreement.aor.conflict");
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].at("operation").as_string(), op);
  EXPECT_EQ(told[0].at("party").as_string(), "TR");
  EXPECT_TRUE(told[0].contains("overlap"));
  HttpResult history = Http(port(), "GET", "/v1/agreements/aor/aor-palmyra", "", us_);
  ASSERT_EQ(history.status, 200) << history.body;
  EXPECT_EQ(history.json().at("versions").at(0).at("ovn").as_string(), ovn);
}

TEST_F(AgreementsE2E, TheHostIsToldOfAnOperationInsideItsTerritoryAsTheOverlapOnly) {
  Start();
  const std::string territory =
      R"({"kind": "territory", "content": {"party": "HOST", "area": )" + std::string(kPalmyra) +
      R"(}, "approvers": ["HOST", "US"], "expires_at": ")" + In(std::chrono::hours(1)) + R"("})";
  ASSERT_EQ(Http(port(), "PUT", "/v1/proposals/host-territory", territory, ru_).status, 201);
  for (const std::string* t : {&ru_, &us_, &host_}) {
    ASSERT_EQ(Decide(*t, "host-territory").status, 201);
  }
  const std::string inside = "00000000-0000-4000-8000-0000000000b1";
  const std::string outside = "00000000-0000-4000-8000-0000000000b2";
  // A 20 km circle centred on the territory's edge: the host learns the part inside only.
  ASSERT_EQ(Http(port(), "PUT", "/v1/operations/" + inside,
                 OperationBody({CircleVolume(34.45, 38.27, 20000, 0, 3000, 600, 3600)}), us_)
                .status,
            201);
  ASSERT_EQ(Http(port(), "PUT", "/v1/operations/" + outside,
                 OperationBody({CircleVolume(36.5, 38.27, 2000, 0, 3000, 600, 3600)}), us_)
                .status,
            201);
  std::vector<json::object> told = EventsOf(host_, "agreement.territory.operation");
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].at("operation").as_string(), inside);
  const json::value& box = told[0].at("overlap").at("bounding_box");
  EXPECT_GE(box.at("lat_min").to_number<double>(), 34.45 - 1e-6);  // not the circle's 34.27
  EXPECT_TRUE(told[0].at("ovn").as_string().empty());
}

TEST_F(AgreementsE2E, ASignedDecisionIsProvedOfflineWithLedgerExportAndVerify) {
  Start();
  HttpResult proposed =
      Http(port(), "PUT", "/v1/proposals/p1", ListEntryBody("add", R"(["US"])"), ru_);
  ASSERT_EQ(proposed.status, 201) << proposed.body;
  const json::value proposed_json = proposed.json();
  const json::object& statement = proposed_json.at("decision_statement").at("approve").as_object();
  const std::string key = dir_.path() + "/us.key";
  ASSERT_EQ(RunCli({"keys", "generate", "--out", key}).exit_code, 0);
  ASSERT_EQ(RunCli({"keys", "register", "--url", url(), "--token", us_, "--key", key}).exit_code,
            0);
  const std::string now = Rfc3339(std::chrono::system_clock::now());
  CliResult signature = RunCli(
      {"ack", "sign", "--key", key, "--kind", std::string(statement.at("kind").as_string()),
       "--object", std::string(statement.at("object_id").as_string()), "--digest",
       std::string(statement.at("object_digest").as_string()), "--party", "US", "--time", now});
  ASSERT_EQ(signature.exit_code, 0) << signature.err;
  std::string sig = signature.out;
  while (!sig.empty() && (sig.back() == '\n' || sig.back() == ' ')) sig.pop_back();
  // The same signature offered as a rejection does not verify: the decision is in the kind.
  HttpResult wrong = Decide(us_, "p1", "reject",
                            R"(, "signature": ")" + sig + R"(", "signed_at": ")" + now + "\"");
  EXPECT_EQ(wrong.status, 400) << wrong.body;
  EXPECT_EQ(wrong.json().at("error").at("field").as_string(), "signature");
  HttpResult decided = Decide(us_, "p1", "approve",
                              R"(, "signature": ")" + sig + R"(", "signed_at": ")" + now + "\"");
  ASSERT_EQ(decided.status, 201) << decided.body;
  const json::value decided_json = decided.json();
  const json::value& d = decided_json.at("decisions").at(0);
  EXPECT_TRUE(d.at("signed").as_bool());
  const int64_t index = d.at("ledger_index").to_number<int64_t>();

  ASSERT_EQ(server_->Stop(), 0);
  CliResult verified = ExportAndVerify(dir_.path(), index);
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("proposal.approve.ack"), std::string::npos) << verified.out;
  CliResult signer =
      RunCli({"ack", "verify", "--data", dir_.path(), "--kind", "proposal.approve", "--object",
              "p1", "--digest", std::string(statement.at("object_digest").as_string()), "--party",
              "US", "--time", now, "--signature", sig, "--any-time"});
  EXPECT_EQ(signer.exit_code, 0) << signer.out << signer.err;
}

TEST_F(AgreementsE2E, BadInputIsAnsweredWithTheField) {
  Start();
  ASSERT_EQ(Http(port(), "PUT", "/v1/proposals/p1", ListEntryBody("add", R"(["US"])"), ru_).status,
            201);
  HttpResult outsider = Decide(obs_, "p1");
  EXPECT_EQ(outsider.status, 403) << outsider.body;
  ASSERT_EQ(Decide(us_, "p1", "approve").status, 201);
  HttpResult twice = Decide(us_, "p1", "reject");
  EXPECT_EQ(twice.status, 409) << twice.body;
  EXPECT_EQ(Decide(us_, "p1", "maybe").json().at("error").at("field").as_string(), "decision");

  const std::string bow_tie = R"({"kind": "territory", "content": {"party": "HOST", "area":
      {"type": "Polygon", "coordinates": [[[38.15, 34.45], [38.39, 34.65], [38.39, 34.45],
       [38.15, 34.65], [38.15, 34.45]]]}}, "approvers": ["HOST"], "expires_at": ")" +
                              In(std::chrono::hours(1)) + R"("})";
  HttpResult crossing = Http(port(), "PUT", "/v1/proposals/p2", bow_tie, ru_);
  EXPECT_EQ(crossing.status, 400) << crossing.body;
  EXPECT_EQ(std::string(crossing.json().at("error").at("field").as_string()).substr(0, 27),
            "content.area.coordinates[0]");
  const std::string unclosed = R"({"kind": "territory", "content": {"party": "HOST", "area":
      {"type": "Polygon", "coordinates": [[[38.15, 34.45], [38.39, 34.65], [38.39, 34.45],
       [38.15, 34.65]]]}}, "approvers": ["HOST"], "expires_at": ")" +
                               In(std::chrono::hours(1)) + R"("})";
  EXPECT_EQ(Http(port(), "PUT", "/v1/proposals/p3", unclosed, ru_)
                .json()
                .at("error")
                .at("field")
                .as_string(),
            "content.area.coordinates[0]");
  std::string many = R"({"kind": "territory", "content": {"party": "HOST", "area": {"type":
      "Polygon", "coordinates": [[)";
  for (int i = 0; i < 1001; ++i) {
    const double t = 2 * 3.14159265358979 * i / 1001;
    many += fmt::format("[{:.6f}, {:.6f}], ", 38.27 + 0.1 * std::cos(t), 34.55 + 0.1 * std::sin(t));
  }
  many += R"([38.37, 34.55]]]}}, "approvers": ["HOST"], "expires_at": ")" +
          In(std::chrono::hours(1)) + R"("})";
  EXPECT_EQ(Http(port(), "PUT", "/v1/proposals/p4", many, ru_).status, 413);
  EXPECT_EQ(Http(port(), "GET", "/v1/proposals/p1", "", obs_).status, 404);
}

}  // namespace
}  // namespace deconflict::e2e
