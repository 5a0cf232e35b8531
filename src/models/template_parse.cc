// The template parser: splits text into text/{{ }}/{% %} pieces, tokenizes
// tags and builds the syntax tree, refusing everything outside the subset.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "models/template_ast.h"

namespace playlake::models {
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
        ++depth_;
        auto s = ParseIf(node);
        --depth_;
        if (!s) return s;
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
        ++depth_;
        auto s = ParseNodes(node.body, {"end" + keyword}, stopped, &end_tokens);
        --depth_;
        if (!s) return s;
        if (stopped.empty()) return Unclosed(node.line, keyword);
      } else if (keyword == "macro" && options_.allow_macros && depth_ == 0) {
        if (auto s = ParseMacro(node); !s) return s;
      } else if (keyword == "elif" || keyword == "else" || keyword.rfind("end", 0) == 0) {
        return t.Err(fmt::format("'{{% {} %}}' without a matching opening statement", keyword));
      } else if (keyword == "macro") {
        return t.Err(options_.allow_macros
                         ? "'{% macro %}' may appear only at the top level of a macro file"
                         : "'{% macro %}' may appear only in a file under the project's "
                           "macro-paths (default: macros/)");
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

  // {% macro name(param, param=default, …) %} body {% endmacro %}: the
  // signature parses as a call whose positional arguments are bare names and
  // whose keyword arguments are the defaults.
  Status ParseMacro(TemplateNode& node) {
    Tokens& t = *current_;
    if (t.Peek().kind != Token::Kind::kName ||
        !(t.Peek(1).kind == Token::Kind::kPunct && t.Peek(1).text == "(")) {
      return t.Err("expected '{% macro name(parameters) %}'");
    }
    auto signature = ParseWholeExpr(t);
    if (!signature) return tl::unexpected(signature.error());
    for (const Expr& param : signature->args) {
      if (param.kind != Expr::Kind::kName) {
        return Fail(ErrorCode::kConfig, fmt::format("{}:{}: macro {}: a parameter must be a name",
                                                    file_, node.line, signature->name));
      }
    }
    node.kind = TemplateNode::Kind::kMacro;
    node.text = signature->name;
    node.expr = std::move(*signature);
    std::string stopped;
    Tokens* end_tokens = nullptr;
    ++depth_;
    auto s = ParseNodes(node.body, {"endmacro"}, stopped, &end_tokens);
    --depth_;
    if (!s) return s;
    if (stopped.empty()) return Unclosed(node.line, "macro");
    return {};
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
  int depth_ = 0;  // statements open around the current one
  std::string file_;
  const Template::Options& options_;
  std::unique_ptr<Tokens> current_;
};

}  // namespace

Result<std::vector<TemplateNode>> ParseTemplate(const std::string& text, const std::string& file,
                                                const Template::Options& options) {
  auto tags = Scan(text, file);
  if (!tags) return tl::unexpected(tags.error());
  Parser parser(std::move(*tags), file, options);
  std::vector<TemplateNode> nodes;
  std::string stopped;
  Tokens* stop_tokens = nullptr;
  if (auto s = parser.ParseNodes(nodes, {}, stopped, &stop_tokens); !s)
    return tl::unexpected(s.error());
  return nodes;
}

}  // namespace playlake::models
