#include "agreements/records.h"

#include "boost/json.hpp"
#include "common/clock.h"
#include "fmt/format.h"

namespace deconflict::agreements {
namespace {

namespace json = boost::json;

json::array RingJson(const Ring& ring) {
  json::array out;
  for (const geo::LatLng& p : ring) out.push_back(json::array{p.lat_deg, p.lng_deg});
  return out;
}

absl::Status Malformed(std::string_view what) {
  return absl::DataLossError(fmt::format("agreements: stored content: {}", what));
}

// Reads a stored object's fields; the first error is kept.
class Fields {
 public:
  explicit Fields(const json::object& o) : o_(o) {}
  std::string Text(std::string_view k) {
    const json::value* v = o_.if_contains(k);
    if (v && v->is_string()) return std::string(v->get_string());
    Fail(k);
    return {};
  }
  double Number(std::string_view k) {
    const json::value* v = o_.if_contains(k);
    if (v && v->is_number()) return v->to_number<double>();
    Fail(k);
    return 0;
  }
  int64_t Int(std::string_view k) {
    const json::value* v = o_.if_contains(k);
    if (v && v->is_int64()) return v->get_int64();
    Fail(k);
    return 0;
  }
  bool Bool(std::string_view k) {
    const json::value* v = o_.if_contains(k);
    if (v && v->is_bool()) return v->get_bool();
    Fail(k);
    return false;
  }
  const json::array& Array(std::string_view k) {
    static const json::array kEmpty;
    const json::value* v = o_.if_contains(k);
    if (v && v->is_array()) return v->get_array();
    Fail(k);
    return kEmpty;
  }
  Ring RingOf(const json::value& v) {
    Ring ring;
    if (!v.is_array()) return Fail("ring"), ring;
    for (const json::value& p : v.get_array()) {
      if (!p.is_array() || p.get_array().size() != 2 || !p.get_array()[0].is_number() ||
          !p.get_array()[1].is_number()) {
        return Fail("position"), ring;
      }
      ring.push_back({p.get_array()[0].to_number<double>(), p.get_array()[1].to_number<double>()});
    }
    return ring;
  }
  absl::Status status() const { return status_; }

 private:
  void Fail(std::string_view k) {
    if (status_.ok()) status_ = Malformed(fmt::format("'{}' is missing or malformed", k));
  }
  const json::object& o_;
  absl::Status status_;
};

}  // namespace

std::string EncodeContent(const Content& content) {
  json::object o;
  std::visit(
      [&](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, ListEntryChange>) {
          json::array aliases;
          for (const std::string& a : c.entry.aliases) aliases.emplace_back(a);
          o = json::object{{"list", c.list},
                           {"op", c.op == ListEntryChange::Op::kAdd ? "add" : "remove"},
                           {"name", c.entry.name},
                           {"aliases", std::move(aliases)},
                           {"notes", c.entry.notes}};
        } else if constexpr (std::is_same_v<T, AreaOfResponsibility>) {
          o = json::object{{"party", c.party.value()},
                           {"area", RingJson(c.area)},
                           {"altitude_lower_m", c.altitude.lower_m},
                           {"altitude_upper_m", c.altitude.upper_m},
                           {"time_start", Micros(c.window.start)},
                           {"time_end", Micros(c.window.end)}};
        } else if constexpr (std::is_same_v<T, Territory>) {
          json::array areas;
          for (const Ring& ring : c.areas) areas.push_back(RingJson(ring));
          o = json::object{{"party", c.party.value()}, {"multi", c.multi}, {"areas", areas}};
        } else {
          o = json::object{{"title", c.title}, {"text", c.text}};
        }
      },
      content);
  return json::serialize(o);
}

absl::StatusOr<Content> DecodeContent(ProposalKind kind, std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return Malformed("not a JSON object");
  Fields f(v.get_object());
  Content out;
  switch (kind) {
    case ProposalKind::kListEntry: {
      ListEntryChange c{.list = f.Text("list")};
      c.op = f.Text("op") == "remove" ? ListEntryChange::Op::kRemove : ListEntryChange::Op::kAdd;
      c.entry.name = f.Text("name");
      for (const json::value& a : f.Array("aliases")) {
        if (!a.is_string()) return Malformed("an alias is not a string");
        c.entry.aliases.emplace_back(a.get_string());
      }
      c.entry.notes = f.Text("notes");
      out = std::move(c);
      break;
    }
    case ProposalKind::kAreaOfResponsibility: {
      AreaOfResponsibility c{.party = PartyId(f.Text("party"))};
      const json::array& area = f.Array("area");
      c.area = f.RingOf(area);
      c.altitude = {f.Number("altitude_lower_m"), f.Number("altitude_upper_m")};
      c.window = {FromMicros(f.Int("time_start")), FromMicros(f.Int("time_end"))};
      out = std::move(c);
      break;
    }
    case ProposalKind::kTerritory: {
      Territory c{.party = PartyId(f.Text("party")), .multi = f.Bool("multi")};
      for (const json::value& ring : f.Array("areas")) c.areas.push_back(f.RingOf(ring));
      out = std::move(c);
      break;
    }
    case ProposalKind::kText:
      out = TextAgreement{.title = f.Text("title"), .text = f.Text("text")};
      break;
  }
  if (!f.status().ok()) return f.status();
  return out;
}

std::string ThingOf(const ProposalRequest& request) {
  if (request.amends) return *request.amends;
  return std::visit(
      [&](const auto& c) -> std::string {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, ListEntryChange>) {
          return fmt::format("list/{}/{}", c.list, c.entry.name);
        } else if constexpr (std::is_same_v<T, AreaOfResponsibility>) {
          return fmt::format("aor/{}", request.id);
        } else if constexpr (std::is_same_v<T, Territory>) {
          return fmt::format("territory/{}", c.party.value());
        } else {
          return fmt::format("text/{}", request.id);
        }
      },
      request.content);
}

PartyId HolderOf(const Content& content) {
  if (const auto* aor = std::get_if<AreaOfResponsibility>(&content)) return aor->party;
  if (const auto* t = std::get_if<Territory>(&content)) return t->party;
  return PartyId("");
}

}  // namespace deconflict::agreements
