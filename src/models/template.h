// A small, strict template engine for the Jinja subset dbt models use.
//
// Supported (see docs/models.md for the user-facing list):
//   {{ expr }}                       expression, rendered as text
//   {% if e %} {% elif e %} {% else %} {% endif %}
//   {% set name = expr %}            template-local variable
//   {% snapshot name %} … {% endsnapshot %}   only where the caller allows it
//   {% macro name(a, b='default') %} … {% endmacro %}   only in macro files
//   (MacroLibrary); a template parsed with a library calls them as functions
//   {# comment #}
//   whitespace control: {{- -}}, {%- -%}, {#- -#}
// Expressions: string literals ('a' or "a"), numbers, true/false/none (any case),
// lists [..], names (set variables or names the context knows, e.g. `this`),
// function calls with positional and keyword arguments, ==, !=, <, <=, >, >=,
// not, and, or, parentheses.
//
// Everything else (filters, for loops, attribute access, `~`, unknown
// functions) is an Error{kConfig} naming the file and line. Nothing is ever
// silently ignored: an engine that skipped unknown syntax would produce SQL
// that runs but means something else.
//
// Thread safety: a parsed Template is immutable; Render may be called from
// several threads at once with different contexts.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace playlake::models {

// A value of the template language.
struct Value {
  enum class Kind { kNone, kBool, kNumber, kString, kList, kRelation };
  Kind kind = Kind::kNone;
  bool boolean = false;
  double number = 0;
  std::string text;          // kString and kRelation: the text; kNumber: its spelling
  std::vector<Value> items;  // kList

  static Value None() { return {}; }
  static Value Bool(bool b);
  static Value Number(double n, std::string spelling = {});
  static Value String(std::string s);
  static Value Relation(std::string rendered);
  static Value List(std::vector<Value> items);

  // How `{{ value }}` prints it (Python/Jinja conventions: True, None, ['a']).
  std::string Render() const;
  bool Truthy() const;
  // The value as a string for config keys: strings and relations as is, numbers
  // by spelling; other kinds are an error message in the Result.
  Result<std::string> AsString() const;
};

using KeywordArgs = std::vector<std::pair<std::string, Value>>;

// What the template can see: functions and global names. Implemented by the
// compiler (models/compiler.h) once per render.
class TemplateContext {
 public:
  virtual ~TemplateContext() = default;
  // Calls function `name`. An unknown name or bad arguments return an Error
  // whose message the engine prefixes with "file:line: ".
  virtual Result<Value> Call(const std::string& name, const std::vector<Value>& args,
                             const KeywordArgs& kwargs) = 0;
  // A global name such as `this`; std::nullopt when unknown.
  virtual std::optional<Value> Lookup(const std::string& name) = 0;
};

// A function call with only literal arguments, found by a static walk over all
// branches (so ref() inside {% if is_incremental() %} still counts as a
// dependency). Arguments that are not literals are left out of `args`.
struct StaticCall {
  std::string function;
  std::vector<Value> args;
  bool all_literal = true;
  int line = 0;
};

struct TemplateNode;
struct TemplateBlock;

// The macros of a project: {% macro name(params) %}…{% endmacro %} in the
// files under its macro-paths, by name. A call renders the macro's body in the
// caller's context (ref, source, this, is_incremental and var work as in the
// calling model), with only its parameters as local names, and returns the
// text, as dbt does. Static call search (Template::FindCalls) looks through
// the macros a template calls, so a ref() inside a macro is a dependency of
// every model that calls it.
//
// Built once while a project loads, then immutable: safe to share between
// threads and templates.
class MacroLibrary {
 public:
  MacroLibrary();
  ~MacroLibrary();
  MacroLibrary(const MacroLibrary&) = delete;
  MacroLibrary& operator=(const MacroLibrary&) = delete;

  // Adds the macros defined in `text`, a file that holds nothing but macro
  // definitions and blank text. Errors (Error{kConfig}, naming file and line):
  // syntax, other content, a name defined twice or taken by a built-in
  // function (ref, source, config, var, is_incremental).
  Status AddFile(const std::string& text, const std::string& file);

  struct Macro {
    const TemplateNode* node;  // kMacro; owned by the library
    std::string file;
  };
  // nullptr when no macro has that name.
  const Macro* Find(const std::string& name) const;
  std::size_t size() const { return macros_.size(); }

 private:
  std::vector<std::shared_ptr<const std::vector<TemplateNode>>> files_;
  std::map<std::string, Macro> macros_;
};

class Template {
 public:
  struct Options {
    // Block statements allowed, e.g. {"snapshot"}; every other block is an error.
    std::vector<std::string> allowed_blocks = {};
    // Macros the template may call; nullptr: none.
    std::shared_ptr<const MacroLibrary> macros = nullptr;
    // Accept {% macro %} definitions at top level (MacroLibrary's files only).
    bool allow_macros = false;
  };

  // Parses `text`; `file` names it in errors. Syntax errors are Error{kConfig}.
  static Result<Template> Parse(const std::string& text, const std::string& file,
                                const Options& options);
  static Result<Template> Parse(const std::string& text, const std::string& file) {
    return Parse(text, file, Options{});
  }

  Template();
  ~Template();
  Template(Template&&) noexcept;
  Template& operator=(Template&&) noexcept;
  Template(const Template&);
  Template& operator=(const Template&);

  Result<std::string> Render(TemplateContext& context) const;

  // Every call to `function` anywhere in the template, in source order.
  std::vector<StaticCall> FindCalls(const std::string& function) const;

  // For files made of named blocks ({% snapshot x %}…{% endsnapshot %}): the
  // blocks of kind `kind` at top level. Any other non-blank top-level content
  // is an Error naming its line.
  Result<std::vector<TemplateBlock>> TopLevelBlocks(const std::string& kind) const;

  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::shared_ptr<const std::vector<TemplateNode>> nodes_;
  std::shared_ptr<const MacroLibrary> macros_;
};

struct TemplateBlock {
  std::string name;
  int line = 0;
  Template body;
};

}  // namespace playlake::models
