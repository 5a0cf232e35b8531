// Template values, rendering and the static call search; parsing is in
// template_parse.cc.
#include "models/template.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "models/template_ast.h"

namespace playlake::models {
// ---------------------------------------------------------------- values

Value Value::Bool(bool b) {
  Value v;
  v.kind = Kind::kBool;
  v.boolean = b;
  return v;
}

Value Value::Number(double n, std::string spelling) {
  Value v;
  v.kind = Kind::kNumber;
  v.number = n;
  if (spelling.empty()) {
    spelling = (n == static_cast<double>(static_cast<long long>(n)))
                   ? std::to_string(static_cast<long long>(n))
                   : fmt::format("{}", n);
  }
  v.text = std::move(spelling);
  return v;
}

Value Value::String(std::string s) {
  Value v;
  v.kind = Kind::kString;
  v.text = std::move(s);
  return v;
}

Value Value::Relation(std::string rendered) {
  Value v;
  v.kind = Kind::kRelation;
  v.text = std::move(rendered);
  return v;
}

Value Value::List(std::vector<Value> items) {
  Value v;
  v.kind = Kind::kList;
  v.items = std::move(items);
  return v;
}

std::string Value::Render() const {
  switch (kind) {
    case Kind::kNone:
      return "None";
    case Kind::kBool:
      return boolean ? "True" : "False";
    case Kind::kNumber:
    case Kind::kString:
    case Kind::kRelation:
      return text;
    case Kind::kList: {
      std::string out = "[";
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        out += items[i].kind == Kind::kString ? "'" + items[i].text + "'" : items[i].Render();
      }
      return out + "]";
    }
  }
  return {};
}

bool Value::Truthy() const {
  switch (kind) {
    case Kind::kNone:
      return false;
    case Kind::kBool:
      return boolean;
    case Kind::kNumber:
      return number != 0;
    case Kind::kString:
      return !text.empty();
    case Kind::kList:
      return !items.empty();
    case Kind::kRelation:
      return true;
  }
  return false;
}

Result<std::string> Value::AsString() const {
  if (kind == Kind::kString || kind == Kind::kRelation || kind == Kind::kNumber) return text;
  return Fail(ErrorCode::kConfig, fmt::format("expected a string, got {}", Render()));
}

namespace {

// ---------------------------------------------------------------- evaluation

// Deep enough for macros that call macros, shallow enough to stop a macro
// that calls itself before the stack runs out.
constexpr int kMaxMacroDepth = 32;

class Renderer {
 public:
  Renderer(const std::string& file, TemplateContext& context, const MacroLibrary* macros,
           int depth = 0)
      : file_(file), context_(context), macros_(macros), depth_(depth) {}

  Status Render(const std::vector<TemplateNode>& nodes, std::string& out) {
    for (const TemplateNode& node : nodes) {
      switch (node.kind) {
        case TemplateNode::Kind::kText:
          out += node.text;
          break;
        case TemplateNode::Kind::kExpr: {
          auto v = Eval(node.expr);
          if (!v) return tl::unexpected(v.error());
          out += v->Render();
          break;
        }
        case TemplateNode::Kind::kSet: {
          auto v = Eval(node.expr);
          if (!v) return tl::unexpected(v.error());
          locals_[node.text] = std::move(*v);
          break;
        }
        case TemplateNode::Kind::kIf: {
          const std::vector<TemplateNode>* chosen = &node.else_body;
          for (const auto& [condition, body] : node.branches) {
            auto v = Eval(condition);
            if (!v) return tl::unexpected(v.error());
            if (v->Truthy()) {
              chosen = &body;
              break;
            }
          }
          if (auto s = Render(*chosen, out); !s) return s;
          break;
        }
        case TemplateNode::Kind::kBlock:
          if (auto s = Render(node.body, out); !s) return s;
          break;
        case TemplateNode::Kind::kMacro:  // a definition renders as nothing
          break;
      }
    }
    return {};
  }

 private:
  tl::unexpected<Error> Err(int line, const std::string& message) const {
    return Fail(ErrorCode::kConfig, fmt::format("{}:{}: {}", file_, line, message));
  }

  Result<Value> Eval(const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::kLiteral:
        return e.literal;
      case Expr::Kind::kName: {
        if (auto it = locals_.find(e.name); it != locals_.end()) return it->second;
        if (auto v = context_.Lookup(e.name)) return *v;
        return Err(e.line, fmt::format("unknown name '{}'", e.name));
      }
      case Expr::Kind::kList: {
        std::vector<Value> items;
        for (const Expr& item : e.args) {
          auto v = Eval(item);
          if (!v) return v;
          items.push_back(std::move(*v));
        }
        return Value::List(std::move(items));
      }
      case Expr::Kind::kCall: {
        std::vector<Value> args;
        KeywordArgs kwargs;
        for (const Expr& a : e.args) {
          auto v = Eval(a);
          if (!v) return v;
          args.push_back(std::move(*v));
        }
        for (const auto& [key, a] : e.kwargs) {
          auto v = Eval(a);
          if (!v) return v;
          kwargs.emplace_back(key, std::move(*v));
        }
        if (const MacroLibrary::Macro* macro = macros_ ? macros_->Find(e.name) : nullptr) {
          return CallMacro(*macro, std::move(args), std::move(kwargs), e.line);
        }
        auto result = context_.Call(e.name, args, kwargs);
        if (!result) return Err(e.line, result.error().message);
        return result;
      }
      case Expr::Kind::kNot: {
        auto v = Eval(e.args[0]);
        if (!v) return v;
        return Value::Bool(!v->Truthy());
      }
      case Expr::Kind::kAnd:
      case Expr::Kind::kOr: {
        auto left = Eval(e.args[0]);
        if (!left) return left;
        const bool is_and = e.kind == Expr::Kind::kAnd;
        if (left->Truthy() != is_and) return left;  // short-circuit, like Python
        return Eval(e.args[1]);
      }
      case Expr::Kind::kCompare:
        return Compare(e);
    }
    return Err(e.line, "internal: unknown expression");
  }

  // Binds the arguments to the macro's parameters (positional first, then by
  // name, then defaults) and renders its body with only those as locals.
  Result<Value> CallMacro(const MacroLibrary::Macro& macro, std::vector<Value> args,
                          KeywordArgs kwargs, int line) {
    const Expr& signature = macro.node->expr;
    if (depth_ >= kMaxMacroDepth) {
      return Err(line, fmt::format("macro {} nests more than {} calls deep (does it call itself?)",
                                   signature.name, kMaxMacroDepth));
    }
    std::vector<std::string> names;
    for (const Expr& param : signature.args) names.push_back(param.name);
    for (const auto& [name, default_value] : signature.kwargs) names.push_back(name);
    if (args.size() > names.size()) {
      return Err(line, fmt::format("macro {} takes {} arguments, got {}", signature.name,
                                   names.size(), args.size()));
    }
    Renderer inner(macro.file, context_, macros_, depth_ + 1);
    for (std::size_t i = 0; i < args.size(); ++i) inner.locals_[names[i]] = std::move(args[i]);
    for (auto& [key, value] : kwargs) {
      if (std::find(names.begin(), names.end(), key) == names.end()) {
        return Err(line, fmt::format("macro {} has no parameter '{}'", signature.name, key));
      }
      if (!inner.locals_.emplace(key, std::move(value)).second) {
        return Err(line, fmt::format("macro {} got '{}' twice", signature.name, key));
      }
    }
    for (const Expr& param : signature.args) {
      if (!inner.locals_.count(param.name)) {
        return Err(line, fmt::format("macro {} needs argument '{}'", signature.name, param.name));
      }
    }
    for (const auto& [name, default_value] : signature.kwargs) {
      if (inner.locals_.count(name)) continue;
      auto v = inner.Eval(default_value);
      if (!v) return v;
      inner.locals_[name] = std::move(*v);
    }
    std::string out;
    if (auto s = inner.Render(macro.node->body, out); !s) {
      if (depth_ > 0) return tl::unexpected(s.error());  // the outermost call says where
      return Fail(ErrorCode::kConfig, fmt::format("{} (in macro {} called at {}:{})",
                                                  s.error().message, signature.name, file_, line));
    }
    return Value::String(std::move(out));
  }

  Result<Value> Compare(const Expr& e) {
    auto a = Eval(e.args[0]);
    if (!a) return a;
    auto b = Eval(e.args[1]);
    if (!b) return b;
    const std::string& op = e.name;
    using K = Value::Kind;
    auto textual = [](K k) { return k == K::kString || k == K::kRelation; };
    int order = 0;
    bool comparable = true;
    if (a->kind == K::kNumber && b->kind == K::kNumber) {
      order = a->number < b->number ? -1 : a->number > b->number ? 1 : 0;
    } else if (textual(a->kind) && textual(b->kind)) {
      order = a->text.compare(b->text) < 0 ? -1 : a->text == b->text ? 0 : 1;
    } else if (a->kind == b->kind && (a->kind == K::kBool || a->kind == K::kNone)) {
      order = a->boolean == b->boolean ? 0 : 1;
      comparable = false;
    } else {
      comparable = false;
      order = a->Render() == b->Render() && a->kind == b->kind ? 0 : 1;
    }
    if (op == "==") return Value::Bool(order == 0);
    if (op == "!=") return Value::Bool(order != 0);
    if (!comparable) {
      return Err(e.line,
                 fmt::format("cannot order {} and {} with '{}'", a->Render(), b->Render(), op));
    }
    if (op == "<") return Value::Bool(order < 0);
    if (op == "<=") return Value::Bool(order <= 0);
    if (op == ">") return Value::Bool(order > 0);
    return Value::Bool(order >= 0);
  }

  const std::string& file_;
  TemplateContext& context_;
  const MacroLibrary* macros_;
  int depth_;
  std::map<std::string, Value> locals_;
};

// The static call search: every call to `function`, in the template and in
// the bodies of the macros it calls (each macro searched once).
struct CallSearch {
  const std::string& function;
  const MacroLibrary* macros;
  std::vector<StaticCall>& out;
  std::set<std::string> macros_seen;

  void Collect(const Expr& e);
  void Collect(const std::vector<TemplateNode>& nodes);
};

void CallSearch::Collect(const Expr& e) {
  if (e.kind == Expr::Kind::kCall && macros != nullptr) {
    if (const MacroLibrary::Macro* macro = macros->Find(e.name);
        macro != nullptr && macros_seen.insert(e.name).second) {
      Collect(macro->node->body);
    }
  }
  if (e.kind == Expr::Kind::kCall && e.name == function) {
    StaticCall call;
    call.function = function;
    call.line = e.line;
    for (const Expr& a : e.args) {
      if (a.kind == Expr::Kind::kLiteral) {
        call.args.push_back(a.literal);
      } else {
        call.all_literal = false;
      }
    }
    if (!e.kwargs.empty()) call.all_literal = false;
    out.push_back(std::move(call));
  }
  for (const Expr& a : e.args) Collect(a);
  for (const auto& kv : e.kwargs) Collect(kv.second);
}

void CallSearch::Collect(const std::vector<TemplateNode>& nodes) {
  for (const TemplateNode& node : nodes) {
    if (node.kind == TemplateNode::Kind::kMacro) continue;  // searched where it is called
    Collect(node.expr);
    for (const auto& [condition, body] : node.branches) {
      Collect(condition);
      Collect(body);
    }
    Collect(node.else_body);
    Collect(node.body);
  }
}

}  // namespace

// ---------------------------------------------------------------- Template

Template::Template() : nodes_(std::make_shared<const std::vector<TemplateNode>>()) {}
Template::~Template() = default;
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;
Template::Template(const Template&) = default;
Template& Template::operator=(const Template&) = default;

Result<Template> Template::Parse(const std::string& text, const std::string& file,
                                 const Options& options) {
  auto nodes = ParseTemplate(text, file, options);
  if (!nodes) return tl::unexpected(nodes.error());
  Template t;
  t.file_ = file;
  t.nodes_ = std::make_shared<const std::vector<TemplateNode>>(std::move(*nodes));
  t.macros_ = options.macros;
  return t;
}

Result<std::string> Template::Render(TemplateContext& context) const {
  std::string out;
  Renderer renderer(file_, context, macros_.get());
  if (auto s = renderer.Render(*nodes_, out); !s) return tl::unexpected(s.error());
  return out;
}

std::vector<StaticCall> Template::FindCalls(const std::string& function) const {
  std::vector<StaticCall> out;
  CallSearch{function, macros_.get(), out, {}}.Collect(*nodes_);
  return out;
}

Result<std::vector<TemplateBlock>> Template::TopLevelBlocks(const std::string& kind) const {
  std::vector<TemplateBlock> blocks;
  for (const TemplateNode& node : *nodes_) {
    if (node.kind == TemplateNode::Kind::kBlock && node.text == kind) {
      TemplateBlock block;
      block.name = node.block_name;
      block.line = node.line;
      block.body.file_ = file_;
      block.body.nodes_ = std::make_shared<const std::vector<TemplateNode>>(node.body);
      block.body.macros_ = macros_;
      blocks.push_back(std::move(block));
    } else if (!(node.kind == TemplateNode::Kind::kText &&
                 node.text.find_first_not_of(" \t\r\n") == std::string::npos)) {
      return Fail(
          ErrorCode::kConfig,
          fmt::format("{}:{}: only {{% {} … %}} blocks may appear at the top level of this file",
                      file_, node.line, kind));
    }
  }
  return blocks;
}

}  // namespace playlake::models

// ---------------------------------------------------------------- MacroLibrary

namespace playlake::models {

MacroLibrary::MacroLibrary() = default;
MacroLibrary::~MacroLibrary() = default;

Status MacroLibrary::AddFile(const std::string& text, const std::string& file) {
  Template::Options options;
  options.allow_macros = true;
  auto nodes = ParseTemplate(text, file, options);
  if (!nodes) return tl::unexpected(nodes.error());
  // Kept before any macro points into it, so the library never holds a
  // dangling node even when this file is refused halfway.
  files_.push_back(std::make_shared<const std::vector<TemplateNode>>(std::move(*nodes)));
  for (const TemplateNode& node : *files_.back()) {
    if (node.kind == TemplateNode::Kind::kText &&
        node.text.find_first_not_of(" \t\r\n") == std::string::npos) {
      continue;
    }
    if (node.kind != TemplateNode::Kind::kMacro) {
      // A text node starts where the previous tag ended: name the line of its text.
      const auto text_start =
          node.text.begin() + std::min(node.text.size(), node.text.find_first_not_of(" \t\r\n"));
      const auto line = node.line + std::count(node.text.begin(), text_start, '\n');
      return Fail(
          ErrorCode::kConfig,
          fmt::format("{}:{}: a macro file may hold only {{% macro %}} definitions", file, line));
    }
    for (const char* builtin : {"ref", "source", "config", "var", "is_incremental"}) {
      if (node.text == builtin) {
        return Fail(ErrorCode::kConfig,
                    fmt::format("{}:{}: macro {} would hide the built-in function of that name",
                                file, node.line, node.text));
      }
    }
    auto [it, added] = macros_.emplace(node.text, Macro{&node, file});
    if (!added) {
      return Fail(ErrorCode::kConfig, fmt::format("{}:{}: macro {} is already defined in {}", file,
                                                  node.line, node.text, it->second.file));
    }
  }
  return {};
}

const MacroLibrary::Macro* MacroLibrary::Find(const std::string& name) const {
  auto it = macros_.find(name);
  return it == macros_.end() ? nullptr : &it->second;
}

}  // namespace playlake::models
