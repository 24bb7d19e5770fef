#include "config/yaml_tree.hpp"

#include <cmath>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.hpp"

namespace kbeta::config {
namespace {

using ::testing::HasSubstr;

// The message of the ConfigError that parsing `text` throws, or "" when it throws none.
std::string parse_error(const std::string& text) {
  try {
    parse_yaml_document(text, "test.yml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

ScalarValue resolve_plain(const std::string& text) {
  YamlNode node;
  node.kind = YamlNode::Kind::Scalar;
  node.text = text;
  return resolve_scalar(node);
}

TEST(YamlTree, KeepsDocumentOrderAndLines) {
  const YamlNode root = parse_yaml_document("seed: 3\ngeometry:\n  dx: 0.04\n  dy: 0.05\n", "test.yml");
  ASSERT_EQ(root.kind, YamlNode::Kind::Mapping);
  ASSERT_EQ(root.entries.size(), 2u);
  EXPECT_EQ(root.entries[0].key, "seed");
  EXPECT_EQ(root.entries[1].key, "geometry");
  const YamlNode* dy = root.find("geometry")->find("dy");
  ASSERT_NE(dy, nullptr);
  EXPECT_EQ(dy->text, "0.05");
  EXPECT_EQ(dy->line, 4);
  EXPECT_EQ(dy->location(), "test.yml line 4");
}

TEST(YamlTree, DuplicateKeyNamesPathAndBothLines) {
  const std::string message =
      parse_error("seed: 1\nmodel_params:\n  epochs: 3\n  batch_size: 4\n  epochs: 5\n");
  EXPECT_THAT(message, HasSubstr("duplicate key model_params.epochs"));
  EXPECT_THAT(message, HasSubstr("lines 3 and 5"));
  EXPECT_THAT(message, HasSubstr("test.yml"));
}

TEST(YamlTree, DuplicateTopLevelKey) {
  const std::string message = parse_error("seed: 1\nrun_label: a\nseed: 2\n");
  EXPECT_THAT(message, HasSubstr("duplicate key seed at lines 1 and 3"));
}

TEST(YamlTree, DuplicateKeyInFlowMapping) {
  EXPECT_THAT(parse_error("learning_rate_schedule: {30: 1.0e-3, 30: 5.0e-4}\n"),
              HasSubstr("duplicate key learning_rate_schedule.30"));
}

TEST(YamlTree, MalformedYamlGivesLineAndColumn) {
  const std::string message = parse_error("seed: 1\nmodel_params:\n  epochs: [3, 4\n");
  EXPECT_THAT(message, HasSubstr("test.yml: invalid YAML at line"));
  EXPECT_THAT(message, HasSubstr("column"));
  EXPECT_THAT(message, HasSubstr("end of sequence flow not found"));
}

TEST(YamlTree, BadIndentationGivesLine) {
  const std::string message = parse_error("model_params:\n  epochs: 3\n batch_size: 4\n");
  EXPECT_THAT(message, HasSubstr("invalid YAML at line 3"));
}

TEST(YamlTree, DeepNestingIsExplained) {
  const std::string text = "a: " + std::string(3000, '[') + std::string(3000, ']') + "\n";
  const std::string message = parse_error(text);
  EXPECT_THAT(message, HasSubstr("nesting deeper than"));
  EXPECT_THAT(message, HasSubstr("line 1"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("bad file")));
}

TEST(YamlTree, RejectsEmptyDocument) {
  EXPECT_THAT(parse_error(""), HasSubstr("contains no YAML document"));
  EXPECT_THAT(parse_error("# only a comment\n"), HasSubstr("contains no YAML document"));
}

TEST(YamlTree, RejectsSecondDocument) {
  EXPECT_THAT(parse_error("seed: 1\n---\nseed: 2\n"), HasSubstr("more than one YAML document"));
}

TEST(YamlTree, RejectsNonMappingTopLevel) {
  EXPECT_THAT(parse_error("[1, 2]\n"), HasSubstr("expected a mapping of configuration keys"));
  EXPECT_THAT(parse_error("just text\n"), HasSubstr("expected a mapping of configuration keys"));
}

TEST(YamlTree, RejectsCollectionAsKey) {
  EXPECT_THAT(parse_error("? [a, b]\n: 1\n"), HasSubstr("key must be a scalar"));
}

TEST(YamlTree, ExpandsAliases) {
  const YamlNode root = parse_yaml_document("a: &limits [0, 1]\nb: *limits\n", "test.yml");
  const YamlNode* b = root.find("b");
  ASSERT_NE(b, nullptr);
  ASSERT_EQ(b->kind, YamlNode::Kind::Sequence);
  ASSERT_EQ(b->items.size(), 2u);
  EXPECT_EQ(b->items[1].text, "1");
}

TEST(YamlTree, RejectsAliasBomb) {
  // Nine levels of ten aliases each would expand to 10^9 scalars.
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level < 10; ++level) {
    text += fmt::format("a{}: &a{} [", level, level);
    for (int k = 0; k < 10; ++k) {
      text += fmt::format("{}*a{}", k == 0 ? "" : ", ", level - 1);
    }
    text += "]\n";
  }
  const std::string message = parse_error(text);
  EXPECT_THAT(message, HasSubstr("test.yml line"));
  EXPECT_THAT(message, HasSubstr("more than 100000 nodes"));
  EXPECT_THAT(message, HasSubstr("remove the nested aliases"));
}

TEST(YamlTree, AliasBombOverrideStaysPlainString) {
  std::string text = "[&a [x, x, x, x, x, x, x, x, x, x]";
  std::string previous = "a";
  for (int level = 1; level < 10; ++level) {
    const std::string name = fmt::format("a{}", level);
    text += fmt::format(", &{} [", name);
    for (int k = 0; k < 10; ++k) {
      text += fmt::format("{}*{}", k == 0 ? "" : ", ", previous);
    }
    text += "]";
    previous = name;
  }
  text += "]";
  // Invalid values fall back to a plain string, so the bomb stays unexpanded text.
  const YamlNode node = parse_yaml_value(text, "override seed=...");
  EXPECT_EQ(node.kind, YamlNode::Kind::Scalar);
  EXPECT_EQ(node.text, text);
}

TEST(YamlTree, QuotedScalarsAreStrings) {
  const YamlNode root = parse_yaml_document("a: \"5\"\nb: '1e-3'\nc: !!str true\nd: 5\n", "test.yml");
  EXPECT_EQ(resolve_scalar(*root.find("a")).kind, ScalarValue::Kind::String);
  EXPECT_EQ(resolve_scalar(*root.find("b")).kind, ScalarValue::Kind::String);
  EXPECT_EQ(resolve_scalar(*root.find("c")).kind, ScalarValue::Kind::String);
  EXPECT_EQ(resolve_scalar(*root.find("d")).kind, ScalarValue::Kind::Integer);
}

TEST(ResolveScalar, Integers) {
  EXPECT_EQ(resolve_plain("42").integer, 42);
  EXPECT_EQ(resolve_plain("-7").integer, -7);
  EXPECT_EQ(resolve_plain("+7").integer, 7);
  EXPECT_EQ(resolve_plain("0x1F").integer, 31);
  EXPECT_EQ(resolve_plain("0o17").integer, 15);
  EXPECT_EQ(resolve_plain("42").kind, ScalarValue::Kind::Integer);
  EXPECT_FALSE(resolve_plain("9223372036854775807").integer_overflow);
  EXPECT_TRUE(resolve_plain("9223372036854775808").integer_overflow);
}

TEST(ResolveScalar, Floats) {
  EXPECT_EQ(resolve_plain("1e-3").kind, ScalarValue::Kind::Float);
  EXPECT_DOUBLE_EQ(resolve_plain("1e-3").number, 1e-3);
  EXPECT_DOUBLE_EQ(resolve_plain("1.0e-3").number, 1e-3);
  EXPECT_DOUBLE_EQ(resolve_plain(".5").number, 0.5);
  EXPECT_DOUBLE_EQ(resolve_plain("+2.").number, 2.0);
  EXPECT_TRUE(std::isinf(resolve_plain(".inf").number));
  EXPECT_TRUE(std::isinf(resolve_plain("-.Inf").number));
  EXPECT_TRUE(std::isnan(resolve_plain(".nan").number));
  EXPECT_TRUE(std::isinf(resolve_plain("1e999").number));
}

TEST(ResolveScalar, BooleansFollowPyYaml) {
  for (const char* text : {"true", "True", "TRUE", "yes", "on", "ON"}) {
    const ScalarValue value = resolve_plain(text);
    EXPECT_EQ(value.kind, ScalarValue::Kind::Bool) << text;
    EXPECT_TRUE(value.boolean) << text;
  }
  for (const char* text : {"false", "False", "no", "NO", "off"}) {
    const ScalarValue value = resolve_plain(text);
    EXPECT_EQ(value.kind, ScalarValue::Kind::Bool) << text;
    EXPECT_FALSE(value.boolean) << text;
  }
}

TEST(ResolveScalar, NullsAndStrings) {
  EXPECT_EQ(resolve_plain("~").kind, ScalarValue::Kind::Null);
  EXPECT_EQ(resolve_plain("null").kind, ScalarValue::Kind::Null);
  EXPECT_EQ(resolve_plain("").kind, ScalarValue::Kind::Null);
  EXPECT_EQ(resolve_plain("block").kind, ScalarValue::Kind::String);
  EXPECT_EQ(resolve_plain("1.2.3").kind, ScalarValue::Kind::String);
  EXPECT_EQ(resolve_plain("e5").kind, ScalarValue::Kind::String);
}

TEST(ParseYamlValue, ScalarsAndFlowCollections) {
  EXPECT_EQ(parse_yaml_value("[0, 1]", "o").kind, YamlNode::Kind::Sequence);
  EXPECT_EQ(parse_yaml_value("{30: 1.0e-4}", "o").kind, YamlNode::Kind::Mapping);
  EXPECT_EQ(resolve_scalar(parse_yaml_value("null", "o")).kind, ScalarValue::Kind::Null);
  EXPECT_EQ(resolve_scalar(parse_yaml_value("\"42\"", "o")).kind, ScalarValue::Kind::String);
  EXPECT_EQ(parse_yaml_value("\"42\"", "o").text, "42");
}

TEST(ParseYamlValue, InvalidYamlIsPlainString) {
  const YamlNode node = parse_yaml_value("[1,", "o");
  EXPECT_EQ(node.kind, YamlNode::Kind::Scalar);
  EXPECT_EQ(node.text, "[1,");
  EXPECT_EQ(resolve_scalar(node).kind, ScalarValue::Kind::String);
}

TEST(ParseYamlValue, DuplicateKeyIsAnError) {
  EXPECT_THROW(parse_yaml_value("{30: 1.0e-3, 30: 5.0e-4}", "o"), ConfigError);
}

TEST(ParseYamlValue, BlockMappingTextIsPlainString) {
  const YamlNode node = parse_yaml_value("a: b", "o");
  EXPECT_EQ(node.kind, YamlNode::Kind::Scalar);
  EXPECT_EQ(node.text, "a: b");
}

TEST(FormatFloat, ReadsBackExactly) {
  for (const double value : {0.04, 1e-5, 1e-8, 4.0, 0.1, 1.0 / 3.0, 123456789.0, 1e20, -2.5e-300}) {
    const std::string text = format_float(value);
    EXPECT_NE(text.find('.'), std::string::npos) << text;  // PyYAML needs a '.' in a float
    EXPECT_EQ(resolve_plain(text).kind, ScalarValue::Kind::Float) << text;
    EXPECT_EQ(resolve_plain(text).number, value) << text;
  }
  EXPECT_EQ(format_float(1e-5), "1.0e-05");
  EXPECT_EQ(format_float(4.0), "4.0");
}

TEST(EmitYaml, QuotesStringsThatWouldChangeKind) {
  YamlNode root;
  root.kind = YamlNode::Kind::Mapping;
  for (const char* text : {"true", "5", "null", "a b", "x: y", "", "plain_name", "runs/out"}) {
    YamlNode value;
    value.kind = YamlNode::Kind::Scalar;
    value.text = text;
    value.quoted = true;
    root.entries.push_back({fmt::format("k{}", root.entries.size()), 0, value});
  }
  const YamlNode back = parse_yaml_document(emit_yaml(root), "emitted");
  ASSERT_EQ(back.entries.size(), root.entries.size());
  for (std::size_t i = 0; i < back.entries.size(); ++i) {
    EXPECT_EQ(back.entries[i].value.text, root.entries[i].value.text);
    EXPECT_EQ(resolve_scalar(back.entries[i].value).kind, ScalarValue::Kind::String)
        << back.entries[i].value.text;
  }
}

}  // namespace
}  // namespace kbeta::config
