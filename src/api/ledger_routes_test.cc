#include "api/ledger_routes.h"

#include <unistd.h>

#include <filesystem>
#include <future>

#include "boost/json.hpp"
#include "common/digest.h"
#include "gtest/gtest.h"
#include "ledger/bundle.h"
#include "ledger/commitment.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "store/sqlite_ledger.h"

namespace deconflict::api {
namespace {

class LedgerRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ledger_routes_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto store = store::Store::Open(dir_.string());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    for (int i = 0; i < 10; ++i) {
      entries_.push_back(ledger::EncodeEntry(ledger::Entry{.party = "RU",
                                                           .action = ledger::kActionPartyAdd,
                                                           .object_id = std::to_string(i),
                                                           .content_digest = std::string(32, 'x'),
                                                           .server_time = Timestamp{}}));
      ASSERT_TRUE(
          store_->Write([&](store::Txn& txn) { return txn.AppendLedger(entries_.back()).status(); })
              .ok());
    }
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  static boost::json::object Json(const Reply& reply) {
    return boost::json::parse(reply.body).as_object();
  }
  // PostCosignature, waiting for its answer.
  Reply Post(const std::string& body, const std::string& party) {
    std::promise<Reply> answer;
    PostCosignature(*store_, body, party, [&](Reply r) { answer.set_value(std::move(r)); });
    return answer.get_future().get();
  }
  // The server's operator binds the witness name to `party` (`ledger witness add`).
  void Bind(const std::string& party, const ledger::Signer& witness) {
    absl::Status bound = store_->Write([&](store::Txn& txn) -> absl::Status {
      absl::Status inserted = txn.InsertParty(store::PartyRecord{
          .id = party, .name = party, .role = "guarantor", .token_hash = party + "-token-hash"});
      if (!inserted.ok() && !absl::IsAlreadyExists(inserted)) return inserted;
      return store_->ledger()
          .BindWitness(txn.db(), party, witness.verifier().ToString(), Timestamp{})
          .status();
    });
    ASSERT_TRUE(bound.ok()) << bound;
  }
  static std::string Field(const Reply& reply) {
    return std::string(Json(reply).at("error").at("field").as_string());
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::vector<std::string> entries_;
};

TEST_F(LedgerRoutesTest, CheckpointIsTheSignedNoteAsPlainText) {
  Reply reply = GetCheckpoint(*store_);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.content_type, "text/plain; charset=utf-8");
  auto note = ledger::ParseNote(reply.body);
  ASSERT_TRUE(note.ok()) << note.status();
  EXPECT_TRUE(ledger::VerifyNote(*note, store_->ledger().signer().verifier()).ok());
  EXPECT_EQ(ledger::ParseCheckpoint(note->text)->size, 10u);
}

TEST_F(LedgerRoutesTest, EntriesAreCommitmentsThatOnlyEntitledPartiesCanOpen) {
  // Entry 9 also names the host SY as a reader (e.g. a conflict inside its territory).
  ASSERT_TRUE(store_
                  ->Write([&](store::Txn& txn) {
                    entries_.push_back(
                        ledger::EncodeEntry(ledger::Entry{.party = "RU",
                                                          .action = ledger::kActionOperationCreate,
                                                          .object_id = "op",
                                                          .content_digest = std::string(32, 'x'),
                                                          .server_time = Timestamp{}}));
                    return txn.AppendLedger(entries_.back(), {"SY"}).status();
                  })
                  .ok());
  auto entries_for = [&](const std::string& party, const std::string& role) {
    Reply reply = GetEntries(*store_, {{"start", "3"}, {"end", "11"}},
                             LedgerCaller{.party = party, .role = role});
    EXPECT_EQ(reply.status, 200) << reply.body;
    return Json(reply).at("entries").as_array();
  };
  // An observer (and another operator) gets the commitments only: nothing says who did what.
  for (const auto& [party, role] :
       std::vector<std::pair<std::string, std::string>>{{"OBS", "observer"}, {"UA", "operator"}}) {
    auto items = entries_for(party, role);
    ASSERT_EQ(items.size(), 8u);
    EXPECT_EQ(items[0].at("index").to_number<int>(), 3);
    for (const auto& item : items) {
      EXPECT_FALSE(item.as_object().contains("opening")) << party;
      const std::string data = *FromBase64(std::string_view(item.at("data").as_string()));
      EXPECT_TRUE(ledger::IsCommitmentLeaf(data));
      // A version byte and a salted hash: no field of the entry can be in it. (Searching the 32
      // random bytes for "RU" failed once in a few hundred runs, by chance.)
      EXPECT_EQ(data.size(), ledger::kCommitmentLeafSize);
    }
  }
  // The owner and a guarantor get the opening, which opens the served commitment.
  for (const auto& [party, role] : std::vector<std::pair<std::string, std::string>>{
           {"RU", "operator"}, {"ICRC", "guarantor"}}) {
    auto items = entries_for(party, role);
    for (size_t i = 0; i < items.size(); ++i) {
      ASSERT_TRUE(items[i].as_object().contains("opening")) << party << " " << i;
      const ledger::Opening opening{
          .salt = *FromBase64(std::string_view(items[i].at("opening").at("salt").as_string())),
          .entry = *FromBase64(std::string_view(items[i].at("opening").at("entry").as_string()))};
      EXPECT_EQ(opening.entry, entries_[3 + i]);
      const std::string data = *FromBase64(std::string_view(items[i].at("data").as_string()));
      auto entry = ledger::OpenLeaf(data, &opening);
      ASSERT_TRUE(entry.ok()) << entry.status();
      EXPECT_EQ(entry->party, "RU");
    }
  }
  // A reader named at append time sees that entry's opening, and only that one.
  auto host = entries_for("SY", "host");
  EXPECT_FALSE(host[0].as_object().contains("opening"));
  EXPECT_TRUE(host[7].as_object().contains("opening"));
  EXPECT_EQ(Json(GetEntries(*store_, {{"start", "8"}}, {})).at("entries").as_array().size(), 3u);
}

TEST_F(LedgerRoutesTest, InclusionProofVerifiesAgainstTheServedCheckpoint) {
  auto note = ledger::ParseNote(GetCheckpoint(*store_).body);
  auto checkpoint = ledger::ParseCheckpoint(note->text);
  Reply reply = GetInclusionProof(*store_, {{"index", "7"}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto body = Json(reply);
  EXPECT_EQ(body.at("size").to_number<int>(), 10);
  std::vector<std::string> proof;
  for (const auto& h : body.at("proof").as_array()) {
    proof.push_back(*FromBase64(std::string_view(h.as_string())));
  }
  const std::string leaf =
      *FromBase64(std::string_view(Json(GetEntries(*store_, {{"start", "7"}}, {}))
                                       .at("entries")
                                       .as_array()[0]
                                       .at("data")
                                       .as_string()));
  EXPECT_TRUE(ledger::VerifyInclusion(ledger::HashBytes(ledger::LeafHash(leaf)), 7, 10, proof,
                                      ledger::HashBytes(checkpoint->root))
                  .ok());
}

TEST_F(LedgerRoutesTest, ConsistencyProofVerifiesBetweenTwoCheckpoints) {
  Reply reply = GetConsistencyProof(*store_, {{"from", "4"}, {"to", "10"}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto body = Json(reply);
  std::vector<std::string> proof;
  for (const auto& h : body.at("proof").as_array()) {
    proof.push_back(*FromBase64(std::string_view(h.as_string())));
  }
  auto roots = store_->WithReader([](store::Database& db) {
    store::LedgerReader reader(db);
    return std::make_pair(reader.CheckpointAt(4)->root, reader.CheckpointAt(10)->root);
  });
  EXPECT_TRUE(ledger::VerifyConsistency(4, 10, proof, ledger::HashBytes(roots.first),
                                        ledger::HashBytes(roots.second))
                  .ok());
}

TEST_F(LedgerRoutesTest, BadParametersAre400NamingTheParameter) {
  EXPECT_EQ(GetEntries(*store_, {}, {}).status, 400);
  EXPECT_EQ(Field(GetEntries(*store_, {}, {})), "start");
  EXPECT_EQ(Field(GetEntries(*store_, {{"start", "-1"}}, {})), "start");
  EXPECT_EQ(Field(GetEntries(*store_, {{"start", "10"}}, {})), "start");
  EXPECT_EQ(Field(GetEntries(*store_, {{"start", "2"}, {"end", "2"}}, {})), "end");
  EXPECT_EQ(Field(GetInclusionProof(*store_, {{"index", "10"}})), "index");
  EXPECT_EQ(Field(GetInclusionProof(*store_, {{"index", "1"}, {"size", "11"}})), "size");
  EXPECT_EQ(Field(GetInclusionProof(*store_, {{"index", "x"}})), "index");
  EXPECT_EQ(Field(GetConsistencyProof(*store_, {{"from", "0"}})), "from");
  EXPECT_EQ(Field(GetConsistencyProof(*store_, {{"from", "5"}, {"to", "4"}})), "from");
  EXPECT_EQ(Field(GetConsistencyProof(*store_, {{"from", "5"}, {"to", "99"}})), "to");
  EXPECT_EQ(GetConsistencyProof(*store_, {{"from", "99999999999999999999"}}).status, 400);
}

TEST_F(LedgerRoutesTest, WitnessPostsACosignatureThatThenAppearsOnTheCheckpoint) {
  auto note = ledger::ParseNote(GetCheckpoint(*store_).body);
  ledger::Signer witness =
      ledger::Signer::Generate("icrc.example/w1", ledger::KeyType::kCosignatureV1);
  boost::json::object body{{"witness_key", witness.verifier().ToString()},
                           {"size", 10},
                           {"cosignature", witness.SignNote(note->text, 1790000000)}};
  // Issue 7 item 8: the first party to post no longer registers the name.
  Reply unbound = Post(boost::json::serialize(body), "ICRC");
  EXPECT_EQ(unbound.status, 404) << unbound.body;
  EXPECT_EQ(Field(unbound), "witness_key");
  EXPECT_NE(unbound.body.find("icrc.example/w1"), std::string::npos) << unbound.body;
  Bind("ICRC", witness);
  Bind("RU", ledger::Signer::Generate("ru.example/w", ledger::KeyType::kCosignatureV1));
  Reply reply = Post(boost::json::serialize(body), "ICRC");
  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(Json(reply).at("witness").as_string(), "icrc.example/w1");
  auto served = ledger::ParseNote(GetCheckpoint(*store_, {{"size", "10"}}).body);
  ASSERT_TRUE(served.ok());
  EXPECT_TRUE(ledger::VerifyNote(*served, witness.verifier()).ok());
  Reply other_party = Post(boost::json::serialize(body), "RU");
  EXPECT_EQ(other_party.status, 403);
  EXPECT_NE(other_party.body.find("icrc.example/w1"), std::string::npos) << other_party.body;
  ledger::Signer other_key =
      ledger::Signer::Generate("icrc.example/w1", ledger::KeyType::kCosignatureV1);
  boost::json::object impostor{{"witness_key", other_key.verifier().ToString()},
                               {"size", 10},
                               {"cosignature", other_key.SignNote(note->text, 1790000000)}};
  EXPECT_EQ(Post(boost::json::serialize(impostor), "ICRC").status, 403);
  auto at_size = ledger::ParseNote(GetCheckpoint(*store_, {{"size", "10"}}).body);
  ASSERT_TRUE(at_size.ok());
  EXPECT_TRUE(ledger::VerifyNote(*at_size, witness.verifier()).ok());
  Reply missing = GetCheckpoint(*store_, {{"size", "99"}});
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Field(missing), "size");
  body["size"] = 9;
  Reply wrong = Post(boost::json::serialize(body), "ICRC");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(Field(wrong), "cosignature");
  body["extra"] = 1;
  EXPECT_EQ(Post(boost::json::serialize(body), "ICRC").status, 400);
}

// Issue 7 item 7: the handler runs on an HTTP I/O thread and must not wait for the database.
// With the store's writer held busy, PostCosignature returns at once and answers only after the
// writer ran it; a synchronous Store::Write would block here until the writer is released.
TEST_F(LedgerRoutesTest, CosignatureGoesThroughTheWriterWithoutBlockingTheCaller) {
  auto note = ledger::ParseNote(GetCheckpoint(*store_).body);
  ledger::Signer witness =
      ledger::Signer::Generate("icrc.example/w2", ledger::KeyType::kCosignatureV1);
  const std::string body = boost::json::serialize(
      boost::json::object{{"witness_key", witness.verifier().ToString()},
                          {"size", 10},
                          {"cosignature", witness.SignNote(note->text, 1790000000)}});
  Bind("ICRC", witness);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> writer_busy;
  store_->Submit(
      [&](store::Txn&) {
        writer_busy.set_value();
        released.wait();
        return absl::OkStatus();
      },
      [](absl::Status) {});
  writer_busy.get_future().wait();

  std::promise<Reply> answer;
  std::future<Reply> answered = answer.get_future();
  auto call = std::async(std::launch::async, [&] {
    PostCosignature(*store_, body, "ICRC", [&](Reply r) { answer.set_value(std::move(r)); });
  });
  const bool returned = call.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  const bool answered_early =
      answered.wait_for(std::chrono::milliseconds(0)) == std::future_status::ready;
  release.set_value();
  EXPECT_TRUE(returned) << "PostCosignature waited for the store's writer";
  EXPECT_FALSE(answered_early) << "answered before the writer committed it";
  call.wait();
  Reply reply = answered.get();
  EXPECT_EQ(reply.status, 201) << reply.body;
  EXPECT_TRUE(ledger::VerifyNote(*ledger::ParseNote(GetCheckpoint(*store_, {{"size", "10"}}).body),
                                 witness.verifier())
                  .ok());
  // A bad body is answered at once, without the writer.
  EXPECT_EQ(Post("{", "ICRC").status, 400);
}

}  // namespace
}  // namespace deconflict::api
