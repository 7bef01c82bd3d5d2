// cli/ledger_commands.cc: `deconflict ledger key|export|verify|check` (docs/ledger_format.md).
//
//   deconflict ledger key --data DIR                   the server's note verifier key
//   deconflict ledger export --data DIR --index I --out BUNDLE [--size N]   (with the opening)
//   deconflict ledger verify --bundle BUNDLE --key KEY [--witness KEY ...]   (offline; a single
//                                                      bundle or a bundle set, `case export`)
//   deconflict ledger check --data DIR                 recompute the tree, compare everything,
//                                                      and every state row with its entry
//   deconflict ledger witness-key --name NAME --out FILE          a witness's cosigning key
//   deconflict ledger witness add --data DIR --party P --key VKEY   bind a witness name (operator)
//   deconflict ledger witness list --data DIR | remove --data DIR --name NAME
//   deconflict ledger cosign --witness-key FILE --key KEY --checkpoint FILE
//       [--previous FILE --consistency FILE]          the body of POST /v1/ledger/cosignatures
//
// They work while the server runs (the store is shared). `verify` needs nothing but the bundle
// and the keys; it exits with 1 and says exactly what failed.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <future>
#include <iostream>
#include <sstream>

#include "boost/json.hpp"
#include "cli/commands.h"
#include "cli/exit.h"
#include "common/digest.h"
#include "common/json.h"
#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"
#include "ledger/bundle.h"
#include "ledger/merkle.h"
#include "store/sqlite_ledger.h"
#include "store/store.h"

namespace deconflict::cli {
namespace {

// Every ledger command fails through cli/exit.h: "deconflict ledger: <message>", exit 1.
[[noreturn]] void Fail(const std::string& message) {
  Die("ledger", absl::FailedPreconditionError(message));
}

std::unique_ptr<store::Store> OpenExistingStore(const std::string& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    Fail(fmt::format("{} is not a data directory", dir));
  }
  absl::StatusOr<std::unique_ptr<store::Store>> store = store::Store::Open(dir);
  if (!store.ok()) {
    Fail(fmt::format("cannot open the store in {}: {}", dir, store.status().message()));
  }
  return *std::move(store);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail(fmt::format("cannot read {}", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A verifier key given as text, or as the path of a file holding it.
ledger::VerifierKey KeyArgument(const std::string& option, std::string text) {
  struct stat st;
  if (::stat(text.c_str(), &st) == 0 && S_ISREG(st.st_mode)) text = ReadFile(text);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  absl::StatusOr<ledger::VerifierKey> key = ledger::ParseVerifierKey(text);
  if (!key.ok()) Fail(fmt::format("{}: {}", option, key.status().message()));
  return *key;
}

struct LedgerArgs {
  std::string data;
  uint64_t index = 0;
  uint64_t size = 0;
  std::string out;
  std::string bundle;
  std::string key;
  std::vector<std::string> witnesses;
  uint64_t n = 0;
  uint64_t unit = 1;
  std::string name;
  std::string witness_key;
  std::string checkpoint;
  std::string previous;
  std::string consistency;
  std::string party;
};

void Export(const LedgerArgs& args) {
  auto store = OpenExistingStore(args.data);
  absl::StatusOr<ledger::Bundle> bundle =
      store->WithReader([&](store::Database& db) -> absl::StatusOr<ledger::Bundle> {
        store::ReadSnapshot snapshot(db);  // checkpoint, entry and proof from one state
        store::LedgerReader reader(db);
        absl::StatusOr<store::StoredCheckpoint> cp =
            args.size > 0 ? reader.CheckpointAt(args.size) : reader.CheckpointFor(args.index);
        if (!cp.ok()) return cp.status();
        if (args.index >= cp->size) {
          return absl::InvalidArgumentError(
              fmt::format("entry {} is not in the checkpoint of size {}", args.index, cp->size));
        }
        absl::StatusOr<std::vector<std::string>> entry = reader.Entries(args.index, args.index + 1);
        if (!entry.ok()) return entry.status();
        absl::StatusOr<std::vector<std::optional<store::StoredOpening>>> opening =
            reader.Openings(args.index, args.index + 1);
        if (!opening.ok()) return opening.status();
        absl::StatusOr<std::vector<ledger::Hash>> proof =
            ledger::InclusionProof(reader, args.index, cp->size);
        if (!proof.ok()) return proof.status();
        ledger::Bundle bundle{.index = args.index,
                              .entry = (*entry)[0],
                              .size = cp->size,
                              .proof = ledger::ProofBytes(*proof),
                              .checkpoint = cp->note};
        // The bundle carries the opening: its holder proves what the entry says.
        if ((*opening)[0]) bundle.opening = (*opening)[0]->opening;
        return bundle;
      });
  if (!bundle.ok()) Fail(fmt::format("export: {}", bundle.status().message()));
  std::ofstream out(args.out, std::ios::binary | std::ios::trunc);
  out << ledger::FormatBundle(*bundle);
  out.close();
  if (!out) Fail(fmt::format("cannot write {}", args.out));
  std::cout << fmt::format(
      "entry {} with its inclusion proof in the checkpoint of size {} "
      "written to {}\n",
      args.index, bundle->size, args.out);
}

void PrintWitnesses(const std::vector<std::pair<std::string, uint64_t>>& witnesses) {
  for (const auto& [name, at] : witnesses) {
    std::cout << fmt::format("  cosigned by witness {} at {}\n", name,
                             FormatRfc3339(Timestamp(std::chrono::seconds(at))));
  }
}

// A bundle set (ledger/bundle.h): one line per item, in the set's order.
void VerifySet(const std::string& text, const std::string& path, const ledger::VerifierKey& key,
               const std::vector<ledger::VerifierKey>& witnesses) {
  absl::StatusOr<ledger::BundleSet> set = ledger::ParseBundleSet(text);
  if (!set.ok()) {
    std::cerr << fmt::format("FAILED: {} is not a bundle set: {}\n", path, set.status().message());
    throw CLI::RuntimeError(1);
  }
  absl::StatusOr<ledger::VerifiedBundleSet> verified =
      ledger::VerifyBundleSet(*set, key, witnesses);
  if (!verified.ok()) {
    std::cerr << fmt::format("FAILED: {}\n", verified.status().message());
    throw CLI::RuntimeError(1);
  }
  std::cout << fmt::format(
      "OK: {} entries of {} are in the log {} of size {} (root {}), signed by its key\n",
      verified->items.size(), set->subject, verified->checkpoint.origin, verified->checkpoint.size,
      Base64(ledger::HashBytes(verified->checkpoint.root)));
  for (const ledger::VerifiedSetItem& item : verified->items) {
    if (!item.entry) {
      std::cout << fmt::format("  entry {}  {}: present (content not disclosed to this holder)\n",
                               item.index, item.label);
      continue;
    }
    const ledger::Entry& e = *item.entry;
    std::cout << fmt::format("  entry {}  {}: party {}, action {}, object {}, time {}, digest {}\n",
                             item.index, item.label, e.party, e.action, e.object_id,
                             FormatRfc3339(e.server_time), Hex(e.content_digest));
  }
  PrintWitnesses(verified->witnesses);
}

// A single bundle or a bundle set, told apart by its "format".
void Verify(const LedgerArgs& args) {
  const ledger::VerifierKey key = KeyArgument("--key", args.key);
  std::vector<ledger::VerifierKey> witnesses;
  for (const std::string& w : args.witnesses) witnesses.push_back(KeyArgument("--witness", w));
  const std::string text = ReadFile(args.bundle);
  if (ledger::LooksLikeBundleSet(text)) {
    VerifySet(text, args.bundle, key, witnesses);
    return;
  }
  absl::StatusOr<ledger::Bundle> bundle = ledger::ParseBundle(text);
  if (!bundle.ok()) {
    std::cerr << fmt::format("FAILED: {} is not a proof bundle: {}\n", args.bundle,
                             bundle.status().message());
    throw CLI::RuntimeError(1);
  }
  absl::StatusOr<ledger::VerifiedBundle> verified = ledger::VerifyBundle(*bundle, key, witnesses);
  if (!verified.ok()) {
    std::cerr << fmt::format("FAILED: {}\n", verified.status().message());
    throw CLI::RuntimeError(1);
  }
  const ledger::Entry& e = verified->entry;
  std::cout << fmt::format(
      "OK: entry {} is in the log {} of size {} (root {}), signed by its key\n"
      "  party   {}\n  action  {}\n  object  {}\n  digest  {}\n  time    {}\n",
      bundle->index, verified->checkpoint.origin, verified->checkpoint.size,
      Base64(ledger::HashBytes(verified->checkpoint.root)), e.party, e.action, e.object_id,
      Hex(e.content_digest), FormatRfc3339(e.server_time));
  PrintWitnesses(verified->witnesses);
}

void Check(const LedgerArgs& args) {
  auto store = OpenExistingStore(args.data);
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<store::LedgerCheckReport> report = store->WithReader([&](store::Database& db) {
    return store::LedgerReader(db).Check(store->ledger().signer().verifier());
  });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!report.ok()) {
    std::cerr << fmt::format("FAILED: {}\n", report.status().message());
    throw CLI::RuntimeError(1);
  }
  std::cout << fmt::format(
      "OK: {} entries rehashed; {} nodes, {} checkpoints and {} cosignatures match; root {}; "
      "{} operation rows, {} party rows, {} witness bindings, {} encounters, {} encounter "
      "acknowledgements, {} hotline rows, {} incident rows and {} case rows match their entries "
      "({:.2f} s)\n",
      report->entries, report->nodes, report->checkpoints, report->cosignatures,
      Base64(ledger::HashBytes(report->root)), report->operations, report->parties,
      report->witnesses, report->encounters, report->encounter_acks, report->hotline,
      report->incidents, report->cases, seconds);
}

// Hidden: appends `n` test entries, `unit` per unit of work, 1024 units in flight (group
// commit). Used to fill stores for demos and crash tests.
void BenchAppend(const LedgerArgs& args) {
  // Unlike the other commands it creates a missing data directory (a fresh store to fill).
  absl::StatusOr<std::unique_ptr<store::Store>> opened = store::Store::Open(args.data);
  if (!opened.ok()) Die("ledger bench-append", opened.status(), args.data);
  std::unique_ptr<store::Store> store = *std::move(opened);
  const auto start = std::chrono::steady_clock::now();
  uint64_t done = 0;
  while (done < args.n) {
    std::vector<std::shared_ptr<std::promise<absl::Status>>> pending;
    for (int unit_idx = 0; unit_idx < 1024 && done < args.n; ++unit_idx) {
      const uint64_t count = std::min(args.unit, args.n - done);
      auto p = std::make_shared<std::promise<absl::Status>>();
      pending.push_back(p);
      store->Submit(
          [first = done, count](store::Txn& txn) -> absl::Status {
            for (uint64_t i = first; i < first + count; ++i) {
              absl::StatusOr<uint64_t> index = txn.AppendLedger(
                  ledger::EncodeEntry(ledger::Entry{.party = "bench",
                                                    .action = "bench.append",
                                                    .object_id = std::to_string(i),
                                                    .content_digest = std::string(32, '\0'),
                                                    .server_time = SystemClock().Now()}));
              if (!index.ok()) return index.status();
            }
            return absl::OkStatus();
          },
          [p](absl::Status s) { p->set_value(std::move(s)); });
      done += count;
    }
    for (auto& p : pending) {
      absl::Status s = p->get_future().get();
      if (!s.ok()) Fail(fmt::format("append failed: {}", s.message()));
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << fmt::format("{} entries appended durably in {:.2f} s: {:.0f} entries/s\n", args.n,
                           seconds, static_cast<double>(args.n) / seconds);
}

void WitnessKey(const LedgerArgs& args) {
  if (!ledger::ValidKeyName(args.name)) {
    Fail(fmt::format("--name: '{}' is not a key name (no spaces, no '+')", args.name));
  }
  const ledger::Signer signer =
      ledger::Signer::Generate(args.name, ledger::KeyType::kCosignatureV1);
  const int fd = ::open(args.out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) Fail(fmt::format("cannot create {} (it must not exist yet)", args.out));
  const std::string text = signer.ToString() + "\n";
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!written) Fail(fmt::format("cannot write {}", args.out));
  std::cout << signer.verifier().ToString() << "\n";
}

// The server's operator binds witness names to parties (issue 7 item 8: not first come).
void WitnessAdd(const LedgerArgs& args) {
  const ledger::VerifierKey key = KeyArgument("--key", args.key);
  if (!args.name.empty() && args.name != key.name) {
    Fail(fmt::format("--name '{}' is not the name of the key given with --key ('{}')", args.name,
                     key.name));
  }
  auto store = OpenExistingStore(args.data);
  uint64_t index = 0;
  absl::Status bound = store->Write([&](store::Txn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(index, store->ledger().BindWitness(txn.db(), args.party, key.ToString(),
                                                        SystemClock().Now()));
    return absl::OkStatus();
  });
  if (!bound.ok()) Fail(fmt::format("witness add: {}", bound.message()));
  std::cout << fmt::format("witness {} bound to party {} (ledger entry {})\n", key.name, args.party,
                           index);
}

void WitnessList(const LedgerArgs& args) {
  auto store = OpenExistingStore(args.data);
  absl::StatusOr<std::vector<store::WitnessBinding>> witnesses =
      store->WithReader([](store::Database& db) { return store::LedgerReader(db).Witnesses(); });
  if (!witnesses.ok()) Fail(fmt::format("witness list: {}", witnesses.status().message()));
  for (const store::WitnessBinding& w : *witnesses) {
    std::cout << fmt::format(
        "{}\tparty {}\t{}\t{} cosignature(s)\t{}\n", w.name, w.party,
        w.ledger_index ? fmt::format("bound by the operator (ledger entry {})", *w.ledger_index)
                       : std::string("first use before schema 4: NOT accepted until bound"),
        w.cosignatures, w.verifier_key);
  }
}

void WitnessRemove(const LedgerArgs& args) {
  auto store = OpenExistingStore(args.data);
  uint64_t index = 0;
  absl::Status removed = store->Write([&](store::Txn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(index,
                     store->ledger().RemoveWitness(txn.db(), args.name, SystemClock().Now()));
    return absl::OkStatus();
  });
  if (!removed.ok()) Fail(fmt::format("witness remove: {}", removed.message()));
  std::cout << fmt::format("witness {} removed with its cosignatures (ledger entry {})\n",
                           args.name, index);
}

// A witness's duty before cosigning: the checkpoint is the log's, and it extends the previous
// one it cosigned (consistency proof from GET /v1/ledger/proofs/consistency).
void Cosign(const LedgerArgs& args) {
  absl::StatusOr<ledger::Signer> witness = ledger::Signer::Parse(ReadFile(args.witness_key));
  if (!witness.ok()) Fail(fmt::format("--witness-key: {}", witness.status().message()));
  if (witness->verifier().type != ledger::KeyType::kCosignatureV1) {
    Fail("--witness-key: not a cosignature/v1 key (make one with `ledger witness-key`)");
  }
  const ledger::VerifierKey log_key = KeyArgument("--key", args.key);
  auto open_checkpoint = [&](const std::string& path) {
    absl::StatusOr<ledger::Note> note = ledger::ParseNote(ReadFile(path));
    absl::Status s = note.ok() ? ledger::VerifyNote(*note, log_key) : note.status();
    absl::StatusOr<ledger::Checkpoint> cp =
        s.ok() ? ledger::ParseCheckpoint(note->text) : absl::StatusOr<ledger::Checkpoint>(s);
    if (!cp.ok()) Fail(fmt::format("{}: {}", path, cp.status().message()));
    if (cp->origin != log_key.name) Fail(fmt::format("{}: origin is not {}", path, log_key.name));
    return std::make_pair(*note, *cp);
  };
  auto [note, checkpoint] = open_checkpoint(args.checkpoint);
  if (!args.previous.empty()) {
    auto [old_note, old_cp] = open_checkpoint(args.previous);
    if (args.consistency.empty()) Fail("--previous needs --consistency");
    absl::StatusOr<boost::json::value> proof_json = ParseJson(ReadFile(args.consistency));
    std::vector<std::string> proof;
    if (proof_json.ok() && proof_json->is_object() && proof_json->as_object().contains("proof") &&
        proof_json->as_object().at("proof").is_array()) {
      for (const auto& h : proof_json->as_object().at("proof").as_array()) {
        std::optional<std::string> bytes =
            h.is_string() ? FromBase64(std::string_view(h.as_string())) : std::nullopt;
        if (!bytes) Fail("--consistency: a proof hash is not base64");
        proof.push_back(*bytes);
      }
    } else {
      Fail("--consistency: expected the JSON of GET /v1/ledger/proofs/consistency");
    }
    absl::Status consistent = old_cp.size == 0
                                  ? absl::OkStatus()  // everything extends the empty tree
                                  : ledger::VerifyConsistency(old_cp.size, checkpoint.size, proof,
                                                              ledger::HashBytes(old_cp.root),
                                                              ledger::HashBytes(checkpoint.root));
    if (!consistent.ok()) {
      std::cerr << fmt::format(
          "FAILED: the checkpoint of size {} does not extend the one of size "
          "{}: {}\n",
          checkpoint.size, old_cp.size, consistent.message());
      throw CLI::RuntimeError(1);
    }
  }
  const uint64_t now =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
  std::string line = witness->SignNote(note.text, now);
  line.pop_back();  // the JSON carries the line without its newline
  boost::json::object body{{"witness_key", witness->verifier().ToString()},
                           {"size", checkpoint.size},
                           {"cosignature", line}};
  std::cout << boost::json::serialize(body) << "\n";
}

}  // namespace

void AddLedgerCommands(CLI::App& app) {
  CLI::App* ledger =
      app.add_subcommand("ledger", "The tamper-evident ledger: keys, proofs, checks");
  ledger->require_subcommand(1);
  auto args = std::make_shared<LedgerArgs>();

  CLI::App* key =
      ledger->add_subcommand("key", "Print the server's checkpoint key (note verifier key)");
  key->add_option("--data", args->data, "Data directory of the store")->required();
  key->callback([args] {
    auto store = OpenExistingStore(args->data);
    std::cout << store->ledger().signer().verifier().ToString() << "\n";
  });

  CLI::App* exp =
      ledger->add_subcommand("export", "Write a self-contained proof bundle for one entry");
  exp->add_option("--data", args->data, "Data directory of the store")->required();
  exp->add_option("--index", args->index, "Ledger index of the entry")->required();
  exp->add_option("--out", args->out, "Bundle file to write")->required();
  exp->add_option("--size", args->size,
                  "Checkpoint (tree size) to prove against; default: the newest cosigned one, "
                  "else the newest");
  exp->callback([args] { Export(*args); });

  CLI::App* verify = ledger->add_subcommand(
      "verify", "Verify a proof bundle or a bundle set (deconflict case export) offline");
  verify->add_option("--bundle", args->bundle, "Bundle or bundle set file")->required();
  verify->add_option("--key", args->key, "The log's verifier key (text, or a file holding it)")
      ->required();
  verify->add_option("--witness", args->witnesses,
                     "A witness cosignature/v1 verifier key that must have cosigned (repeatable)");
  verify->callback([args] { Verify(*args); });

  CLI::App* check =
      ledger->add_subcommand("check", "Recompute the whole tree and compare it with the store");
  check->add_option("--data", args->data, "Data directory of the store")->required();
  check->callback([args] { Check(*args); });

  CLI::App* wkey =
      ledger->add_subcommand("witness-key", "Create a witness's cosigning key (cosignature/v1)");
  wkey->add_option("--name", args->name, "Witness name, e.g. unmo.example/witness")->required();
  wkey->add_option("--out", args->out, "Private key file to create (mode 0600)")->required();
  wkey->callback([args] { WitnessKey(*args); });

  CLI::App* witness = ledger->add_subcommand(
      "witness", "Bind witness names to parties (only bound witnesses may cosign)");
  witness->require_subcommand(1);
  CLI::App* wadd = witness->add_subcommand("add", "Bind a witness name and key to a party");
  wadd->add_option("--data", args->data, "Data directory of the store")->required();
  wadd->add_option("--party", args->party, "The party that will post the cosignatures")->required();
  wadd->add_option("--key", args->key,
                   "The witness's cosignature/v1 verifier key (text, or a file holding it)")
      ->required();
  wadd->add_option("--name", args->name, "The witness name (must be the key's name)");
  wadd->callback([args] { WitnessAdd(*args); });
  CLI::App* wlist = witness->add_subcommand("list", "List witness bindings");
  wlist->add_option("--data", args->data, "Data directory of the store")->required();
  wlist->callback([args] { WitnessList(*args); });
  CLI::App* wremove =
      witness->add_subcommand("remove", "Remove a witness binding and its cosignatures");
  wremove->add_option("--data", args->data, "Data directory of the store")->required();
  wremove->add_option("--name", args->name, "The witness name")->required();
  wremove->callback([args] { WitnessRemove(*args); });

  CLI::App* cosign = ledger->add_subcommand(
      "cosign", "Check a checkpoint and print the body of POST /v1/ledger/cosignatures");
  cosign->add_option("--witness-key", args->witness_key, "The witness's private key file")
      ->required();
  cosign->add_option("--key", args->key, "The log's verifier key (text, or a file holding it)")
      ->required();
  cosign
      ->add_option("--checkpoint", args->checkpoint,
                   "The checkpoint to cosign (GET /v1/ledger/checkpoint)")
      ->required();
  cosign->add_option("--previous", args->previous, "The checkpoint this witness cosigned last");
  cosign->add_option("--consistency", args->consistency,
                     "GET /v1/ledger/proofs/consistency?from=<previous size>&to=<new size> answer");
  cosign->callback([args] { Cosign(*args); });

  CLI::App* bench =
      ledger->add_subcommand("bench-append", "Append test entries (benchmarks, crash tests)");
  bench->group("");  // hidden
  bench->add_option("--data", args->data, "Data directory of the store")->required();
  bench->add_option("--n", args->n, "Entries to append")->required();
  bench->add_option("--unit", args->unit, "Entries per unit of work (default 1)");
  bench->callback([args] { BenchAppend(*args); });
}

}  // namespace deconflict::cli
