// Internal to playlake_models: the syntax tree shared by the template parser
// (template_parse.cc) and the renderer (template.cc).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "models/template.h"

namespace playlake::models {

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
  enum class Kind { kText, kExpr, kIf, kSet, kBlock, kMacro };
  Kind kind = Kind::kText;
  int line = 0;
  std::string text;  // kText; the variable for kSet; the block kind for kBlock; kMacro: name
  std::string block_name;
  Expr expr;  // kExpr, kSet; kMacro: the signature as a call (args: parameter names,
              // kwargs: parameters with their defaults)
  // kIf: (condition, body) per if/elif; else_body for {% else %}.
  std::vector<std::pair<Expr, std::vector<TemplateNode>>> branches;
  std::vector<TemplateNode> else_body;
  std::vector<TemplateNode> body;  // kBlock, kMacro
};

// Parses template text into nodes; errors are Error{kConfig} naming file:line.
Result<std::vector<TemplateNode>> ParseTemplate(const std::string& text, const std::string& file,
                                                const Template::Options& options);

}  // namespace playlake::models
