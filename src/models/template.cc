// Template values, rendering and the static call search; parsing is in
// template_parse.cc.
#include "models/template.h"

#include <fmt/format.h>

#include <map>

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

class Renderer {
 public:
  Renderer(const std::string& file, TemplateContext& context) : file_(file), context_(context) {}

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
  std::map<std::string, Value> locals_;
};

void CollectCalls(const Expr& e, const std::string& function, std::vector<StaticCall>& out) {
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
  for (const Expr& a : e.args) CollectCalls(a, function, out);
  for (const auto& kv : e.kwargs) CollectCalls(kv.second, function, out);
}

void CollectCalls(const std::vector<TemplateNode>& nodes, const std::string& function,
                  std::vector<StaticCall>& out) {
  for (const TemplateNode& node : nodes) {
    CollectCalls(node.expr, function, out);
    for (const auto& [condition, body] : node.branches) {
      CollectCalls(condition, function, out);
      CollectCalls(body, function, out);
    }
    CollectCalls(node.else_body, function, out);
    CollectCalls(node.body, function, out);
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
  return t;
}

Result<std::string> Template::Render(TemplateContext& context) const {
  std::string out;
  Renderer renderer(file_, context);
  if (auto s = renderer.Render(*nodes_, out); !s) return tl::unexpected(s.error());
  return out;
}

std::vector<StaticCall> Template::FindCalls(const std::string& function) const {
  std::vector<StaticCall> out;
  CollectCalls(*nodes_, function, out);
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
