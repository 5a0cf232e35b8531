#include "models/template.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

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

// ---------------------------------------------------------------- syntax tree

struct Expr {
  enum class Kind { kLiteral, kName, kCall, kList, kCompare, kNot, kAnd, kOr };
  Kind kind = Kind::kLiteral;
  int line = 0;
  Value literal;
  std::string name;  // kName, kCall; the operator for kCompare
  std::vector<Expr> args;
  std::vector<std::pair<std::string, Expr>> kwargs;
};

struct TemplateNode {
  enum class Kind { kText, kExpr, kIf, kSet, kBlock };
  Kind kind = Kind::kText;
  int line = 0;
  std::string text;  // kText; the variable for kSet; the block kind for kBlock
  std::string block_name;
  Expr expr;
  // kIf: (condition, body) per if/elif; else_body for {% else %}.
  std::vector<std::pair<Expr, std::vector<TemplateNode>>> branches;
  std::vector<TemplateNode> else_body;
  std::vector<TemplateNode> body;  // kBlock
};

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// ---------------------------------------------------------------- tag tokens

struct Token {
  enum class Kind { kName, kString, kNumber, kPunct, kEnd };
  Kind kind = Kind::kEnd;
  std::string text;
  int line = 0;
};

class Tokens {
 public:
  Tokens(std::vector<Token> tokens, std::string file)
      : tokens_(std::move(tokens)), file_(std::move(file)) {}
  const Token& Peek(std::size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  Token Next() { return tokens_[std::min(pos_++, tokens_.size() - 1)]; }
  bool AtEnd() const { return Peek().kind == Token::Kind::kEnd; }
  bool IsPunct(const char* p) const {
    return Peek().kind == Token::Kind::kPunct && Peek().text == p;
  }
  bool IsName(const char* n) const { return Peek().kind == Token::Kind::kName && Peek().text == n; }
  tl::unexpected<Error> Err(const std::string& message) const {
    return Fail(ErrorCode::kConfig, fmt::format("{}:{}: {}", file_, Peek().line, message));
  }

 private:
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  std::string file_;
};

Result<std::vector<Token>> Tokenize(const std::string& text, int line, const std::string& file) {
  std::vector<Token> out;
  std::size_t i = 0;
  auto error = [&](const std::string& message) {
    return Fail(ErrorCode::kConfig, fmt::format("{}:{}: {}", file, line, message));
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\n') ++line;
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    Token token;
    token.line = line;
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t j = i;
      while (j < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_'))
        ++j;
      token.kind = Token::Kind::kName;
      token.text = text.substr(i, j - i);
      i = j;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      std::size_t j = i;
      while (j < text.size() &&
             (std::isdigit(static_cast<unsigned char>(text[j])) || text[j] == '.'))
        ++j;
      token.kind = Token::Kind::kNumber;
      token.text = text.substr(i, j - i);
      i = j;
    } else if (c == '\'' || c == '"') {
      std::string value;
      std::size_t j = i + 1;
      for (; j < text.size() && text[j] != c; ++j) {
        if (text[j] == '\n') ++line;
        if (text[j] == '\\' && j + 1 < text.size()) {
          const char e = text[++j];
          value += e == 'n' ? '\n' : e == 't' ? '\t' : e;
        } else {
          value += text[j];
        }
      }
      if (j >= text.size()) return error("unterminated string literal");
      token.kind = Token::Kind::kString;
      token.text = std::move(value);
      i = j + 1;
    } else {
      static const char* kTwo[] = {"==", "!=", "<=", ">="};
      token.kind = Token::Kind::kPunct;
      for (const char* two : kTwo) {
        if (text.compare(i, 2, two) == 0) token.text = two;
      }
      if (token.text.empty()) {
        if (std::string("()[],=<>").find(c) == std::string::npos) {
          std::string what = c == '|'   ? " (filters are not supported)"
                             : c == '.' ? " (attribute access is not supported)"
                             : c == '~' ? " (string concatenation is not supported)"
                                        : "";
          return error(fmt::format("unsupported syntax '{}'{}", c, what));
        }
        token.text = std::string(1, c);
      }
      i += token.text.size();
    }
    out.push_back(std::move(token));
  }
  Token end;
  end.line = line;
  out.push_back(end);
  return out;
}

// ---------------------------------------------------------------- expressions

Result<Expr> ParseOr(Tokens& t);

Result<Expr> ParsePrimary(Tokens& t) {
  const Token token = t.Next();
  Expr e;
  e.line = token.line;
  switch (token.kind) {
    case Token::Kind::kString:
      e.literal = Value::String(token.text);
      return e;
    case Token::Kind::kNumber: {
      if (std::count(token.text.begin(), token.text.end(), '.') > 1) {
        return Fail(ErrorCode::kConfig, "bad number " + token.text);
      }
      e.literal = Value::Number(std::stod(token.text), token.text);
      return e;
    }
    case Token::Kind::kName: {
      const std::string lower = Lower(token.text);
      if (lower == "true" || lower == "false") {
        e.literal = Value::Bool(lower == "true");
        return e;
      }
      if (lower == "none") return e;
      e.name = token.text;
      if (!t.IsPunct("(")) {
        e.kind = Expr::Kind::kName;
        return e;
      }
      t.Next();
      e.kind = Expr::Kind::kCall;
      while (!t.IsPunct(")")) {
        if (t.AtEnd()) return t.Err(fmt::format("missing ')' after arguments of {}(", e.name));
        if (t.Peek().kind == Token::Kind::kName && t.Peek(1).kind == Token::Kind::kPunct &&
            t.Peek(1).text == "=") {
          std::string key = t.Next().text;
          t.Next();
          auto value = ParseOr(t);
          if (!value) return value;
          e.kwargs.emplace_back(std::move(key), std::move(*value));
        } else {
          if (!e.kwargs.empty()) return t.Err("positional argument after keyword argument");
          auto value = ParseOr(t);
          if (!value) return value;
          e.args.push_back(std::move(*value));
        }
        if (t.IsPunct(",")) {
          t.Next();
        } else if (!t.IsPunct(")")) {
          return t.Err(fmt::format("expected ',' or ')' in arguments of {}(", e.name));
        }
      }
      t.Next();
      return e;
    }
    case Token::Kind::kPunct:
      if (token.text == "(") {
        auto inner = ParseOr(t);
        if (!inner) return inner;
        if (!t.IsPunct(")")) return t.Err("expected ')'");
        t.Next();
        return inner;
      }
      if (token.text == "[") {
        e.kind = Expr::Kind::kList;
        while (!t.IsPunct("]")) {
          if (t.AtEnd()) return t.Err("missing ']'");
          auto item = ParseOr(t);
          if (!item) return item;
          e.args.push_back(std::move(*item));
          if (t.IsPunct(",")) {
            t.Next();
          } else if (!t.IsPunct("]")) {
            return t.Err("expected ',' or ']' in list");
          }
        }
        t.Next();
        return e;
      }
      return t.Err(fmt::format("unexpected '{}'", token.text));
    case Token::Kind::kEnd:
      return t.Err("expression expected");
  }
  return t.Err("expression expected");
}

Result<Expr> ParseCompare(Tokens& t) {
  auto left = ParsePrimary(t);
  if (!left) return left;
  for (const char* op : {"==", "!=", "<=", ">=", "<", ">"}) {
    if (!t.IsPunct(op)) continue;
    Expr e;
    e.kind = Expr::Kind::kCompare;
    e.line = t.Next().line;
    e.name = op;
    auto right = ParsePrimary(t);
    if (!right) return right;
    e.args.push_back(std::move(*left));
    e.args.push_back(std::move(*right));
    return e;
  }
  if (t.IsName("in") || t.IsName("is")) {
    return t.Err(fmt::format("the '{}' operator is not supported", t.Peek().text));
  }
  return left;
}

Result<Expr> ParseNot(Tokens& t) {
  if (!t.IsName("not")) return ParseCompare(t);
  Expr e;
  e.kind = Expr::Kind::kNot;
  e.line = t.Next().line;
  auto inner = ParseNot(t);
  if (!inner) return inner;
  e.args.push_back(std::move(*inner));
  return e;
}

Result<Expr> ParseBinary(Tokens& t, const char* keyword, Expr::Kind kind,
                         Result<Expr> (*operand)(Tokens&)) {
  auto left = operand(t);
  if (!left) return left;
  while (t.IsName(keyword)) {
    Expr e;
    e.kind = kind;
    e.line = t.Next().line;
    auto right = operand(t);
    if (!right) return right;
    e.args.push_back(std::move(*left));
    e.args.push_back(std::move(*right));
    left = std::move(e);
  }
  return left;
}

Result<Expr> ParseAnd(Tokens& t) { return ParseBinary(t, "and", Expr::Kind::kAnd, ParseNot); }
Result<Expr> ParseOr(Tokens& t) { return ParseBinary(t, "or", Expr::Kind::kOr, ParseAnd); }

// Parses a whole tag body as one expression; trailing tokens are an error.
Result<Expr> ParseWholeExpr(Tokens& t) {
  auto e = ParseOr(t);
  if (!e) return e;
  if (!t.AtEnd()) return t.Err(fmt::format("unexpected '{}' after expression", t.Peek().text));
  return e;
}

// ---------------------------------------------------------------- template text

struct Tag {
  enum class Kind { kText, kExpr, kStmt };
  Kind kind;
  std::string text;
  int line;
};

// Splits the source into text, {{ }} and {% %} pieces, applying whitespace
// control and dropping comments.
Result<std::vector<Tag>> Scan(const std::string& src, const std::string& file) {
  std::vector<Tag> tags;
  std::size_t pos = 0;
  int line = 1;
  bool trim_next = false;
  auto count_lines = [](const std::string& s) {
    return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
  };
  while (pos <= src.size()) {
    const std::size_t open = src.find('{', pos);
    std::size_t start = std::string::npos;
    for (std::size_t p = open; p != std::string::npos && p + 1 < src.size();
         p = src.find('{', p + 1)) {
      const char n = src[p + 1];
      if (n == '{' || n == '%' || n == '#') {
        start = p;
        break;
      }
    }
    std::string text =
        src.substr(pos, start == std::string::npos ? std::string::npos : start - pos);
    const int text_line = line;
    line += count_lines(text);
    bool trim_before =
        start != std::string::npos && start + 2 < src.size() && src[start + 2] == '-';
    if (trim_next)
      text.erase(0, text.find_first_not_of(" \t\r\n") == std::string::npos
                        ? text.size()
                        : text.find_first_not_of(" \t\r\n"));
    if (trim_before) {
      const std::size_t last = text.find_last_not_of(" \t\r\n");
      text.erase(last == std::string::npos ? 0 : last + 1);
    }
    if (!text.empty()) tags.push_back({Tag::Kind::kText, std::move(text), text_line});
    if (start == std::string::npos) break;

    const char kind = src[start + 1];
    const std::string close = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
    const std::size_t end = src.find(close, start + 2);
    if (end == std::string::npos) {
      return Fail(ErrorCode::kConfig,
                  fmt::format("{}:{}: '{{{}' is never closed with '{}'", file, line, kind, close));
    }
    std::size_t body_begin = start + 2 + (trim_before ? 1 : 0);
    std::size_t body_end = end;
    trim_next = body_end > body_begin && src[body_end - 1] == '-';
    if (trim_next) --body_end;
    const std::string body = src.substr(body_begin, body_end - body_begin);
    if (kind != '#') {
      tags.push_back({kind == '{' ? Tag::Kind::kExpr : Tag::Kind::kStmt, body, line});
    }
    line += count_lines(src.substr(start, end + 2 - start));
    pos = end + 2;
  }
  return tags;
}

class Parser {
 public:
  Parser(std::vector<Tag> tags, std::string file, const Template::Options& options)
      : tags_(std::move(tags)), file_(std::move(file)), options_(options) {}

  // Parses nodes until one of `stop` statements (returned in `stopped_by`) or the end.
  Status ParseNodes(std::vector<TemplateNode>& out, const std::vector<std::string>& stop,
                    std::string& stopped_by, Tokens** stop_tokens) {
    while (pos_ < tags_.size()) {
      const Tag& tag = tags_[pos_++];
      TemplateNode node;
      node.line = tag.line;
      if (tag.kind == Tag::Kind::kText) {
        node.text = tag.text;
        out.push_back(std::move(node));
        continue;
      }
      auto tokens = Tokenize(tag.text, tag.line, file_);
      if (!tokens) return tl::unexpected(tokens.error());
      current_ = std::make_unique<Tokens>(std::move(*tokens), file_);
      Tokens& t = *current_;
      if (tag.kind == Tag::Kind::kExpr) {
        auto e = ParseWholeExpr(t);
        if (!e) return tl::unexpected(e.error());
        node.kind = TemplateNode::Kind::kExpr;
        node.expr = std::move(*e);
        out.push_back(std::move(node));
        continue;
      }
      if (t.Peek().kind != Token::Kind::kName) return t.Err("statement name expected after '{%'");
      const std::string keyword = t.Next().text;
      if (std::find(stop.begin(), stop.end(), keyword) != stop.end()) {
        stopped_by = keyword;
        *stop_tokens = current_.get();
        return {};
      }
      if (keyword == "if") {
        if (auto s = ParseIf(node); !s) return s;
      } else if (keyword == "set") {
        if (t.Peek().kind != Token::Kind::kName ||
            !(t.Peek(1).kind == Token::Kind::kPunct && t.Peek(1).text == "=")) {
          return t.Err("expected '{% set name = expression %}'");
        }
        node.kind = TemplateNode::Kind::kSet;
        node.text = t.Next().text;
        t.Next();
        auto e = ParseWholeExpr(t);
        if (!e) return tl::unexpected(e.error());
        node.expr = std::move(*e);
      } else if (std::find(options_.allowed_blocks.begin(), options_.allowed_blocks.end(),
                           keyword) != options_.allowed_blocks.end()) {
        if (t.Peek().kind != Token::Kind::kName)
          return t.Err(fmt::format("{} name expected", keyword));
        node.kind = TemplateNode::Kind::kBlock;
        node.text = keyword;
        node.block_name = t.Next().text;
        if (!t.AtEnd()) return t.Err(fmt::format("unexpected '{}'", t.Peek().text));
        std::string stopped;
        Tokens* end_tokens = nullptr;
        if (auto s = ParseNodes(node.body, {"end" + keyword}, stopped, &end_tokens); !s) return s;
        if (stopped.empty()) return Unclosed(node.line, keyword);
      } else if (keyword == "elif" || keyword == "else" || keyword.rfind("end", 0) == 0) {
        return t.Err(fmt::format("'{{% {} %}}' without a matching opening statement", keyword));
      } else {
        return t.Err(fmt::format(
            "unsupported Jinja statement '{{% {} %}}' (supported: if/elif/else/endif, set{})",
            keyword, options_.allowed_blocks.empty() ? "" : ", " + options_.allowed_blocks[0]));
      }
      out.push_back(std::move(node));
    }
    return {};
  }

 private:
  tl::unexpected<Error> Unclosed(int line, const std::string& keyword) const {
    return Fail(ErrorCode::kConfig,
                fmt::format("{}:{}: '{{% {} %}}' is never closed with '{{% end{} %}}'", file_, line,
                            keyword, keyword));
  }

  Status ParseIf(TemplateNode& node) {
    node.kind = TemplateNode::Kind::kIf;
    auto condition = ParseWholeExpr(*current_);
    if (!condition) return tl::unexpected(condition.error());
    while (true) {
      std::vector<TemplateNode> body;
      std::string stopped;
      Tokens* stop_tokens = nullptr;
      if (auto s = ParseNodes(body, {"elif", "else", "endif"}, stopped, &stop_tokens); !s) return s;
      if (stopped.empty()) return Unclosed(node.line, "if");
      node.branches.emplace_back(std::move(*condition), std::move(body));
      if (stopped == "endif" || stopped == "else") {
        if (!stop_tokens->AtEnd()) return stop_tokens->Err("unexpected text after " + stopped);
      }
      if (stopped == "endif") return {};
      if (stopped == "else") {
        std::string end;
        if (auto s = ParseNodes(node.else_body, {"endif"}, end, &stop_tokens); !s) return s;
        if (end.empty()) return Unclosed(node.line, "if");
        return {};
      }
      condition = ParseWholeExpr(*stop_tokens);
      if (!condition) return tl::unexpected(condition.error());
    }
  }

  std::vector<Tag> tags_;
  std::size_t pos_ = 0;
  std::string file_;
  const Template::Options& options_;
  std::unique_ptr<Tokens> current_;
};

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
  auto tags = Scan(text, file);
  if (!tags) return tl::unexpected(tags.error());
  Parser parser(std::move(*tags), file, options);
  auto nodes = std::make_shared<std::vector<TemplateNode>>();
  std::string stopped;
  Tokens* stop_tokens = nullptr;
  if (auto s = parser.ParseNodes(*nodes, {}, stopped, &stop_tokens); !s)
    return tl::unexpected(s.error());
  Template t;
  t.file_ = file;
  t.nodes_ = std::move(nodes);
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
