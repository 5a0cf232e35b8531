#include "sources/framing.h"

#include <fmt/format.h>

namespace playlake::sources {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {
    if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
  }

  void SkipSpace() {
    while (pos_ < text_.size() && IsSpace(text_[pos_])) Advance();
  }
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return text_[pos_]; }
  void Advance() {
    if (text_[pos_] == '\n') ++line_;
    ++pos_;
  }
  std::size_t pos() const { return pos_; }
  std::int64_t line() const { return line_; }

  // Skips one JSON value starting at pos(). Returns false if the text ends
  // inside it. Scalars end at the next ',', ']', '}' or space.
  bool SkipValue() {
    if (AtEnd()) return false;
    const char c = Peek();
    if (c == '{' || c == '[') {
      int depth = 0;
      while (!AtEnd()) {
        const char d = Peek();
        if (d == '"') {
          if (!SkipString()) return false;
          continue;
        }
        if (d == '{' || d == '[') ++depth;
        if (d == '}' || d == ']') --depth;
        Advance();
        if (depth == 0) return true;
      }
      return false;
    }
    if (c == '"') return SkipString();
    while (!AtEnd() && !IsSpace(Peek()) && Peek() != ',' && Peek() != ']' && Peek() != '}') {
      Advance();
    }
    return true;
  }

 private:
  bool SkipString() {
    Advance();  // opening quote
    while (!AtEnd()) {
      const char c = Peek();
      Advance();
      if (c == '\\') {
        if (AtEnd()) return false;
        Advance();
      } else if (c == '"') {
        return true;
      }
    }
    return false;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::int64_t line_ = 1;
};

void SetBadTail(FramedDocument& doc, std::size_t begin, std::size_t end, std::int64_t line,
                std::string reason, std::string detail) {
  doc.has_bad_tail = true;
  doc.bad_tail = RecordSpan{begin, end, line};
  doc.bad_reason = std::move(reason);
  doc.bad_detail = std::move(detail);
}

}  // namespace

FramedDocument FrameJsonArray(std::string_view text) {
  FramedDocument doc;
  Scanner s(text);
  s.SkipSpace();
  if (s.AtEnd()) return doc;
  if (s.Peek() != '[') {
    SetBadTail(doc, s.pos(), text.size(), s.line(), "invalid_json",
               "expected a JSON array of records ('[' at the start of the file)");
    return doc;
  }
  s.Advance();
  s.SkipSpace();
  if (!s.AtEnd() && s.Peek() == ']') {
    s.Advance();
  } else {
    while (true) {
      s.SkipSpace();
      const std::size_t begin = s.pos();
      const std::int64_t line = s.line();
      if (s.AtEnd() || !s.SkipValue()) {
        SetBadTail(doc, begin, text.size(), line, "truncated_json",
                   "the file ends inside the JSON array (truncated or still being written)");
        return doc;
      }
      doc.records.push_back(RecordSpan{begin, s.pos(), line});
      s.SkipSpace();
      if (s.AtEnd()) {
        SetBadTail(doc, s.pos(), text.size(), s.line(), "truncated_json",
                   "the file ends before the closing ']' of the array");
        return doc;
      }
      if (s.Peek() == ',') {
        s.Advance();
        continue;
      }
      if (s.Peek() == ']') {
        s.Advance();
        break;
      }
      const std::size_t bad = s.pos();
      SetBadTail(doc, bad, text.size(), s.line(), "invalid_json",
                 fmt::format("expected ',' or ']' after an array element at byte {}", bad));
      return doc;
    }
  }
  s.SkipSpace();
  if (!s.AtEnd()) {
    SetBadTail(doc, s.pos(), text.size(), s.line(), "invalid_json",
               "unexpected bytes after the end of the JSON array");
  }
  return doc;
}

FramedDocument FrameJsonValues(std::string_view text) {
  FramedDocument doc;
  Scanner s(text);
  while (true) {
    s.SkipSpace();
    if (s.AtEnd()) return doc;
    const std::size_t begin = s.pos();
    const std::int64_t line = s.line();
    if (s.Peek() != '{' && s.Peek() != '[') {
      SetBadTail(doc, begin, text.size(), line, "invalid_json",
                 fmt::format("expected a JSON object at byte {}", begin));
      return doc;
    }
    if (!s.SkipValue()) {
      SetBadTail(doc, begin, text.size(), line, "truncated_json",
                 "the file ends inside a JSON object (truncated)");
      return doc;
    }
    doc.records.push_back(RecordSpan{begin, s.pos(), line});
  }
}

}  // namespace playlake::sources
