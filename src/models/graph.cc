#include "models/graph.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <queue>
#include <sstream>

namespace playlake::models {
namespace {

const std::set<std::string>& Empty() {
  static const std::set<std::string> kEmpty;
  return kEmpty;
}

std::set<std::string> Walk(const std::map<std::string, std::set<std::string>>& edges,
                           const std::string& start, int depth) {
  std::set<std::string> seen;
  std::vector<std::pair<std::string, int>> stack = {{start, 0}};
  while (!stack.empty()) {
    auto [id, d] = stack.back();
    stack.pop_back();
    if (depth >= 0 && d >= depth) continue;
    auto it = edges.find(id);
    if (it == edges.end()) continue;
    for (const std::string& next : it->second) {
      if (seen.insert(next).second) stack.push_back({next, d + 1});
    }
  }
  return seen;
}

std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> out;
  std::string current;
  for (char c : text) {
    if (c == separator || (separator == ' ' && (c == '\t' || c == '\n'))) {
      if (!current.empty()) out.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

// One selector such as "2+tag:nightly+": the matching nodes with the graph operators applied.
Result<std::set<std::string>> Atom(const Project& project, const Graph& graph, std::string text) {
  const std::string original = text;
  int up = 0, down = 0;  // 0: none, -1: unlimited
  auto read_depth = [](const std::string& digits) {
    return digits.empty() ? -1 : std::stoi(digits);
  };
  if (std::size_t plus = text.find('+'); plus != std::string::npos && plus < text.size() - 1 &&
                                         text.find_first_not_of("0123456789") == plus) {
    up = read_depth(text.substr(0, plus));
    text.erase(0, plus + 1);
  }
  if (std::size_t plus = text.rfind('+');
      plus != std::string::npos &&
      text.find_first_not_of("0123456789", plus + 1) == std::string::npos) {
    down = read_depth(text.substr(plus + 1));
    text.erase(plus);
  }
  if (text.empty())
    return Fail(ErrorCode::kInvalidArgument, fmt::format("bad selector '{}'", original));

  std::set<std::string> matched;
  const std::size_t colon = text.find(':');
  const std::string method = colon == std::string::npos ? "" : text.substr(0, colon);
  const std::string value = colon == std::string::npos ? text : text.substr(colon + 1);
  if (method == "source") {
    for (const auto& [id, source] : project.sources()) {
      if (value == source.source_name || value == source.source_name + "." + source.name)
        matched.insert(id);
    }
  } else if (method.empty() || method == "tag" || method == "path" || method == "fqn") {
    const std::vector<std::string> parts = Split(value, '.');
    for (const auto& [id, node] : project.nodes()) {
      bool match = false;
      if (method == "tag") {
        match = std::find(node.tags.begin(), node.tags.end(), value) != node.tags.end();
      } else if (method == "path") {
        match =
            node.path == value || node.path.rfind(value + (value.back() == '/' ? "" : "/"), 0) == 0;
      } else {
        // A name, or a folder path within the project (dbt's fqn selector).
        match = node.name == value;
        for (std::size_t skip = 0; !match && skip <= 1; ++skip) {
          if (node.fqn.size() >= parts.size() + skip && !parts.empty()) {
            match =
                std::equal(parts.begin(), parts.end(), node.fqn.begin() + static_cast<long>(skip));
          }
        }
      }
      if (match) matched.insert(id);
    }
  } else {
    return Fail(
        ErrorCode::kInvalidArgument,
        fmt::format("selector method '{}:' is not supported (name, tag:, path:, source:, fqn:)",
                    method));
  }
  if (matched.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("selector '{}' matches nothing in the project", original));
  }
  std::set<std::string> out = matched;
  for (const std::string& id : matched) {
    if (up != 0) {
      auto more = graph.Ancestors(id, up);
      out.insert(more.begin(), more.end());
    }
    if (down != 0) {
      auto more = graph.Descendants(id, down);
      out.insert(more.begin(), more.end());
    }
  }
  return out;
}

// Space-separated union of comma-joined intersections.
Result<std::set<std::string>> Expression(const Project& project, const Graph& graph,
                                         const std::vector<std::string>& args) {
  std::set<std::string> out;
  for (const std::string& arg : args) {
    for (const std::string& term : Split(arg, ' ')) {
      std::set<std::string> acc;
      bool first = true;
      for (const std::string& atom : Split(term, ',')) {
        auto set = Atom(project, graph, atom);
        if (!set) return set;
        if (first) {
          acc = std::move(*set);
          first = false;
        } else {
          std::set<std::string> both;
          std::set_intersection(acc.begin(), acc.end(), set->begin(), set->end(),
                                std::inserter(both, both.begin()));
          acc = std::move(both);
        }
      }
      out.insert(acc.begin(), acc.end());
    }
  }
  return out;
}

// Adds the tests that read any selected node (dbt's eager indirect selection).
void AddTests(const Project& project, std::set<std::string>& set) {
  for (const auto& [id, node] : project.nodes()) {
    if (node.type != NodeType::kTest) continue;
    for (const std::string& parent : node.depends_on) {
      if (set.count(parent)) {
        set.insert(id);
        break;
      }
    }
  }
}

}  // namespace

Result<Graph> Graph::Build(const Project& project) {
  Graph graph;
  for (const auto& [id, source] : project.sources()) {
    graph.parents_[id];
    graph.children_[id];
  }
  for (const auto& [id, node] : project.nodes()) {
    graph.parents_[id];
    graph.children_[id];
    for (const std::string& parent : node.depends_on) {
      graph.parents_[id].insert(parent);
      graph.children_[parent].insert(id);
    }
  }
  if (auto s = graph.Sort(); !s) return tl::unexpected(s.error());
  return graph;
}

Status Graph::Sort() {
  std::map<std::string, std::size_t> waiting;
  std::priority_queue<std::string, std::vector<std::string>, std::greater<>> ready;
  for (const auto& [id, parents] : parents_) {
    waiting[id] = parents.size();
    if (parents.empty()) ready.push(id);
  }
  order_.clear();
  while (!ready.empty()) {
    const std::string id = ready.top();
    ready.pop();
    order_.push_back(id);
    for (const std::string& child : children_[id]) {
      if (--waiting[child] == 0) ready.push(child);
    }
  }
  if (order_.size() == parents_.size()) return {};
  // Some vertices never became ready: follow parents among them until one repeats.
  std::string start;
  for (const auto& [id, count] : waiting) {
    if (count > 0) {
      start = id;
      break;
    }
  }
  std::vector<std::string> path;
  std::map<std::string, std::size_t> position;
  std::string current = start;
  while (!position.count(current)) {
    position[current] = path.size();
    path.push_back(current);
    for (const std::string& parent : parents_[current]) {
      if (waiting[parent] > 0) {
        current = parent;
        break;
      }
    }
  }
  std::vector<std::string> cycle(path.begin() + static_cast<long>(position[current]), path.end());
  std::reverse(cycle.begin(), cycle.end());  // parent -> child reads naturally
  std::string text;
  for (const std::string& id : cycle) text += id + " -> ";
  text += cycle.front();
  return Fail(ErrorCode::kConfig, fmt::format("dependency cycle: {}", text));
}

void Graph::AddTestEdges(const Project& project) {
  for (const auto& [id, node] : project.nodes()) {
    if (node.type != NodeType::kTest) continue;
    std::set<std::string> candidates;
    for (const std::string& parent : node.depends_on) {
      for (const std::string& child : children_[parent]) {
        const Node* c = project.FindNode(child);
        if (c && c->type != NodeType::kTest) candidates.insert(child);
      }
    }
    for (const std::string& child : candidates) {
      const std::set<std::string> ancestors = Ancestors(child);
      const bool all_upstream =
          std::all_of(node.depends_on.begin(), node.depends_on.end(),
                      [&](const std::string& p) { return ancestors.count(p) > 0; });
      if (!all_upstream) continue;
      parents_[child].insert(id);
      children_[id].insert(child);
    }
  }
  Status sorted = Sort();  // cannot fail: every new edge points away from the tested nodes
  (void)sorted;
}

const std::set<std::string>& Graph::Parents(const std::string& id) const {
  auto it = parents_.find(id);
  return it == parents_.end() ? Empty() : it->second;
}

const std::set<std::string>& Graph::Children(const std::string& id) const {
  auto it = children_.find(id);
  return it == children_.end() ? Empty() : it->second;
}

std::set<std::string> Graph::Ancestors(const std::string& id, int depth) const {
  return Walk(parents_, id, depth);
}

std::set<std::string> Graph::Descendants(const std::string& id, int depth) const {
  return Walk(children_, id, depth);
}

Result<std::set<std::string>> SelectNodes(const Project& project, const Graph& graph,
                                          const std::vector<std::string>& select,
                                          const std::vector<std::string>& exclude) {
  std::set<std::string> selected;
  bool any = false;
  for (const std::string& s : select) any = any || !Split(s, ' ').empty();
  if (!any) {
    for (const auto& [id, node] : project.nodes()) selected.insert(id);
  } else {
    auto chosen = Expression(project, graph, select);
    if (!chosen) return chosen;
    selected = std::move(*chosen);
  }
  AddTests(project, selected);
  auto excluded = Expression(project, graph, exclude);
  if (!excluded) return excluded;
  AddTests(project, *excluded);
  std::set<std::string> out;
  for (const std::string& id : selected) {
    if (!excluded->count(id) && project.FindNode(id)) out.insert(id);
  }
  return out;
}

}  // namespace playlake::models
