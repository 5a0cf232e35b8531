#include "models/template.h"

#include <gtest/gtest.h>

#include <map>

#include "models/context.h"

namespace playlake::models {
namespace {

// Renders `text` with the real model functions: ref('x') -> "main"."x",
// source('s','t') -> s_t, vars {days: 7, mode: 'fast'}.
class Fixture {
 public:
  Fixture() {
    vars_["days"] = Value::Number(7, "7");
    vars_["mode"] = Value::String("fast");
    env_.vars = &vars_;
    env_.ref = [](const std::string& name) -> Result<std::string> {
      return "\"main\".\"" + name + "\"";
    };
    env_.source = [](const std::string& s, const std::string& t) -> Result<std::string> {
      return s + "_" + t;
    };
    env_.this_relation = "\"main\".\"me\"";
    env_.config_out = &config_;
  }
  Result<std::string> Render(const std::string& text, bool incremental = false) {
    env_.is_incremental = incremental;
    auto t = Template::Parse(text, "models/m.sql");
    if (!t) return tl::unexpected(t.error());
    ModelContext context(env_);
    return t->Render(context);
  }
  std::string Ok(const std::string& text, bool incremental = false) {
    auto r = Render(text, incremental);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r ? *r : "";
  }
  std::string ErrorOf(const std::string& text) {
    auto r = Render(text);
    EXPECT_FALSE(r.has_value()) << "rendered: " << (r ? *r : "");
    return r ? "" : r.error().message;
  }
  KeywordArgs config_;

 private:
  std::map<std::string, Value> vars_;
  RenderEnv env_;
};

TEST(Template, PlainTextPassesThrough) {
  Fixture f;
  EXPECT_EQ(f.Ok("select 1 as a -- { not a tag }"), "select 1 as a -- { not a tag }");
}

TEST(Template, RefSourceAndThis) {
  Fixture f;
  EXPECT_EQ(
      f.Ok(
          "select * from {{ ref('orders') }} join {{ source(\"silver\", 'plays') }} -- {{ this }}"),
      "select * from \"main\".\"orders\" join silver_plays -- \"main\".\"me\"");
}

TEST(Template, ConfigRendersNothingAndRecordsArguments) {
  Fixture f;
  EXPECT_EQ(
      f.Ok("{{ config(materialized='incremental', unique_key=['a', 'b'], tags=['x']) }}select 1"),
      "select 1");
  ASSERT_EQ(f.config_.size(), 3u);
  EXPECT_EQ(f.config_[0].first, "materialized");
  EXPECT_EQ(f.config_[0].second.text, "incremental");
  EXPECT_EQ(f.config_[1].second.items.size(), 2u);
  EXPECT_EQ(f.config_[1].second.items[1].text, "b");
}

TEST(Template, IsIncrementalChoosesTheBranch) {
  Fixture f;
  const std::string text =
      "select 1{% if is_incremental() %} where x > (select max(x) from {{ this }}){% endif %}";
  EXPECT_EQ(f.Ok(text, false), "select 1");
  EXPECT_EQ(f.Ok(text, true), "select 1 where x > (select max(x) from \"main\".\"me\")");
  EXPECT_EQ(f.Ok("{% if not is_incremental() %}full{% else %}incr{% endif %}", true), "incr");
}

TEST(Template, ElifElseAndVarComparisons) {
  Fixture f;
  const std::string text =
      "{% if var('mode') == 'slow' %}slow{% elif var('days') >= 7 and var('mode') != 'x' %}week"
      "{% else %}other{% endif %}";
  EXPECT_EQ(f.Ok(text), "week");
  EXPECT_EQ(f.Ok("{% if var('days') < 3 or false %}a{% elif (1 > 2) %}b{% else %}c{% endif %}"),
            "c");
}

TEST(Template, VarWithDefaultAndMissingVar) {
  Fixture f;
  EXPECT_EQ(f.Ok("{{ var('days') }} {{ var('absent', 30) }} {{ var('absent', 'x') }}"), "7 30 x");
  const std::string error = f.ErrorOf("select\n{{ var('absent') }}");
  EXPECT_NE(error.find("models/m.sql:2:"), std::string::npos) << error;
  EXPECT_NE(error.find("var 'absent'"), std::string::npos) << error;
}

TEST(Template, SetAndLiterals) {
  Fixture f;
  EXPECT_EQ(
      f.Ok(
          "{% set n = 3 %}{% set l = ['a', 'b'] %}{{ n }} {{ l }} {{ true }} {{ none }} {{ 2.5 }}"),
      "3 ['a', 'b'] True None 2.5");
}

TEST(Template, CommentsAndWhitespaceControl) {
  Fixture f;
  EXPECT_EQ(f.Ok("a {# gone {{ ref('x') }} #} b"), "a  b");
  EXPECT_EQ(f.Ok("select 1\n{%- if true -%}\n  , 2\n{%- endif %}"), "select 1, 2");
  EXPECT_EQ(f.Ok("x   {{- 'y' -}}   z"), "xyz");
}

TEST(Template, NestedIf) {
  Fixture f;
  EXPECT_EQ(f.Ok("{% if true %}a{% if false %}b{% else %}c{% endif %}d{% endif %}"), "acd");
}

TEST(Template, LinesAreCountedAcrossTags) {
  Fixture f;
  const std::string error =
      f.ErrorOf("{# one\ntwo #}\n{{ config(\n  materialized='table'\n) }}\nselect {{ nope() }}");
  EXPECT_NE(error.find("models/m.sql:6: unknown function 'nope'"), std::string::npos) << error;
}

struct Unsupported {
  const char* text;
  const char* line;    // expected "file:line"
  const char* phrase;  // expected in the message
};

class TemplateUnsupported : public ::testing::TestWithParam<Unsupported> {};

TEST_P(TemplateUnsupported, IsAnErrorNamingFileAndLine) {
  Fixture f;
  const std::string error = f.ErrorOf(GetParam().text);
  EXPECT_NE(error.find(GetParam().line), std::string::npos) << error;
  EXPECT_NE(error.find(GetParam().phrase), std::string::npos) << error;
}

INSTANTIATE_TEST_SUITE_P(
    Template, TemplateUnsupported,
    ::testing::Values(
        Unsupported{"select\n{% for x in [1] %}{{ x }}{% endfor %}",
                    "models/m.sql:2:", "'{% for %}'"},
        Unsupported{"select {{ 'a' | upper }}", "models/m.sql:1:", "filters are not supported"},
        Unsupported{"\n\n{% macro m() %}x{% endmacro %}", "models/m.sql:3:", "'{% macro %}'"},
        Unsupported{"select\n  {{ dbt_utils.star(ref('x')) }}",
                    "models/m.sql:2:", "attribute access"},
        Unsupported{"{{ env_var('HOME') }}", "models/m.sql:1:", "unknown function 'env_var'"},
        Unsupported{"select\n\n{{ undefined_name }}",
                    "models/m.sql:3:", "unknown name 'undefined_name'"},
        Unsupported{"{% if true %}\nno end", "models/m.sql:1:", "never closed"},
        Unsupported{"x\n{% endif %}", "models/m.sql:2:", "without a matching"},
        Unsupported{"{{ ref('a'\n", "models/m.sql:1:", "never closed"},
        Unsupported{"{{ ref('a', 'b') }}", "models/m.sql:1:", "exactly one"},
        Unsupported{"{{ config('table') }}", "models/m.sql:1:", "keyword arguments only"},
        Unsupported{"{{ 'a' ~ 'b' }}", "models/m.sql:1:", "concatenation"},
        Unsupported{"{% if 'a' in ['a'] %}{% endif %}", "models/m.sql:1:", "'in' operator"},
        Unsupported{"{% snapshot s %}{% endsnapshot %}", "models/m.sql:1:", "'{% snapshot %}'"}));

TEST(Template, SnapshotBlocksWhenAllowed) {
  auto t = Template::Parse("\n{% snapshot users_snap %}\nselect 1\n{% endsnapshot %}\n",
                           "snapshots/s.sql", Template::Options{{"snapshot"}});
  ASSERT_TRUE(t) << t.error().message;
  auto blocks = t->TopLevelBlocks("snapshot");
  ASSERT_TRUE(blocks) << blocks.error().message;
  ASSERT_EQ(blocks->size(), 1u);
  EXPECT_EQ((*blocks)[0].name, "users_snap");
  EXPECT_EQ((*blocks)[0].line, 2);

  auto stray = Template::Parse("select 1\n{% snapshot s %}x{% endsnapshot %}", "snapshots/s.sql",
                               Template::Options{{"snapshot"}});
  ASSERT_TRUE(stray);
  auto bad = stray->TopLevelBlocks("snapshot");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("snapshots/s.sql:1:"), std::string::npos)
      << bad.error().message;
}

// Parses `macros` as a macro file and renders `text` with it.
Result<std::string> RenderWithMacros(const std::string& macros, const std::string& text,
                                     bool incremental = false) {
  auto library = std::make_shared<MacroLibrary>();
  if (auto s = library->AddFile(macros, "macros/m.sql"); !s) return tl::unexpected(s.error());
  auto t = Template::Parse(text, "models/m.sql", {.macros = library});
  if (!t) return tl::unexpected(t.error());
  std::map<std::string, Value> vars;
  RenderEnv env;
  env.vars = &vars;
  env.ref = [](const std::string& name) -> Result<std::string> { return "\"main\"." + name; };
  env.this_relation = "\"main\".\"me\"";
  env.is_incremental = incremental;
  KeywordArgs config;
  env.config_out = &config;
  ModelContext context(env);
  return t->Render(context);
}

TEST(Template, MacrosBindArgumentsAndRenderInTheCallersContext) {
  const std::string macros =
      "{% macro since(column, mark='loaded_at', op='>') %}"
      "{% if is_incremental() %}where {{ column }} {{ op }} (select max({{ mark }}) from "
      "{{ this }}){% endif %}{% endmacro %}\n"
      "{% macro twice(x) %}{{ x }}{{ x }}{% endmacro %}\n"
      "{% macro outer() %}[{{ twice(ref('t')) }}]{% endmacro %}\n";
  auto full = RenderWithMacros(macros, "select * from t {{ since('ts') }}");
  ASSERT_TRUE(full) << full.error().message;
  EXPECT_EQ(*full, "select * from t ");
  auto incremental = RenderWithMacros(macros, "{{ since('ts', op='>=') }}", true);
  ASSERT_TRUE(incremental) << incremental.error().message;
  EXPECT_EQ(*incremental, "where ts >= (select max(loaded_at) from \"main\".\"me\")");
  auto nested = RenderWithMacros(macros, "{{ outer() }}");
  ASSERT_TRUE(nested) << nested.error().message;
  EXPECT_EQ(*nested, "[\"main\".t\"main\".t]");
  // A macro sees its parameters only, not the caller's `set` names.
  auto scoped = RenderWithMacros("{% macro m() %}{{ hidden }}{% endmacro %}",
                                 "{% set hidden = 1 %}{{ m() }}");
  ASSERT_FALSE(scoped);
  EXPECT_NE(scoped.error().message.find("macros/m.sql:1: unknown name 'hidden' (in macro m "
                                        "called at models/m.sql:1)"),
            std::string::npos)
      << scoped.error().message;
}

TEST(Template, MacroCallErrorsNameTheMacroAndTheLine) {
  const std::string macros =
      "{% macro m(a, b=2) %}{{ a }}{{ b }}{% endmacro %}"
      "{% macro loop() %}{{ loop() }}{% endmacro %}";
  struct Case {
    std::string text, phrase;
  };
  for (const Case& c : {Case{"\n{{ m() }}", "models/m.sql:2: macro m needs argument 'a'"},
                        Case{"{{ m(1, 2, 3) }}", "macro m takes 2 arguments, got 3"},
                        Case{"{{ m(1, c=3) }}", "macro m has no parameter 'c'"},
                        Case{"{{ m(1, a=3) }}", "macro m got 'a' twice"},
                        Case{"{{ loop() }}", "nests more than 32 calls deep"}}) {
    auto r = RenderWithMacros(macros, c.text);
    ASSERT_FALSE(r) << c.text;
    EXPECT_NE(r.error().message.find(c.phrase), std::string::npos) << r.error().message;
  }
  auto ok = RenderWithMacros(macros, "{{ m(1) }},{{ m(b=5, a=4) }}");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(*ok, "12,45");
}

TEST(Template, MacroFilesHoldOnlyDefinitionsWithFreeNames) {
  MacroLibrary library;
  auto nested = library.AddFile("{% if true %}{% macro m() %}{% endmacro %}{% endif %}", "x.sql");
  ASSERT_FALSE(nested);
  EXPECT_NE(nested.error().message.find("only at the top level"), std::string::npos);
  auto builtin = library.AddFile("\n{% macro ref(x) %}{% endmacro %}", "y.sql");
  ASSERT_FALSE(builtin);
  EXPECT_NE(builtin.error().message.find("y.sql:2: macro ref would hide"), std::string::npos)
      << builtin.error().message;
  EXPECT_EQ(library.size(), 0u);
}

TEST(Template, FindCallsLooksThroughMacros) {
  auto library = std::make_shared<MacroLibrary>();
  ASSERT_TRUE(library->AddFile(
      "{% macro a() %}{{ ref('x') }}{{ b() }}{% endmacro %}{% macro b() %}{{ ref('y') }}"
      "{{ a() }}{% endmacro %}",
      "macros/m.sql"));
  auto t = Template::Parse("select {{ a() }}", "models/m.sql", {.macros = library});
  ASSERT_TRUE(t);
  const auto calls = t->FindCalls("ref");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].args[0].text, "x");
  EXPECT_EQ(calls[1].args[0].text, "y");
}

TEST(Template, FindCallsSeesEveryBranch) {
  auto t = Template::Parse(
      "select * from {{ ref('a') }}{% if is_incremental() %} join {{ ref('b') }}{% else %}{{ "
      "ref(var('x')) }}"
      "{% endif %}",
      "m.sql");
  ASSERT_TRUE(t);
  const auto calls = t->FindCalls("ref");
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].args[0].text, "a");
  EXPECT_EQ(calls[1].args[0].text, "b");
  EXPECT_FALSE(calls[2].all_literal);
}

}  // namespace
}  // namespace playlake::models
