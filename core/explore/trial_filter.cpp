#include "core/explore/trial_filter.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <variant>

namespace ps {

namespace {

// A value while evaluating: missing, a number, a string or a truth value.
using Value = std::variant<std::monostate, double, std::string, bool>;

Value fromJson(const Json& j) {
    if (j.is_boolean())
        return j.get<bool>();
    if (j.is_number())
        return j.get<double>();
    if (j.is_string())
        return j.get<std::string>();
    return std::monostate{};
}

enum class Op { Lt, Le, Gt, Ge, Eq, Ne, In, And, Or, Not, Name, Literal, List };

} // namespace

struct TrialFilter::Node {
    Op op = Op::Literal;
    std::string name; // Name
    Value literal;    // Literal
    std::vector<std::shared_ptr<const Node>> children;
};

namespace {

using NodePtr = std::shared_ptr<const TrialFilter::Node>;

struct Token {
    enum Kind { End, Name, Number, String, Symbol } kind = End;
    std::string text;
    double number = 0;
    std::size_t position = 0;
};

class Parser {
public:
    Parser(const std::string& text, std::vector<std::string>& names)
        : m_text(text), m_names(names) {
        next();
    }

    NodePtr parseAll() {
        NodePtr root = parseOr();
        if (m_token.kind != Token::End)
            throw FilterError("unexpected '" + m_token.text + "' after a complete condition",
                              m_token.position);
        return root;
    }

private:
    void next() {
        std::size_t& i = m_pos;
        while (i < m_text.size() && std::isspace(static_cast<unsigned char>(m_text[i])))
            ++i;
        m_token = Token{};
        m_token.position = i;
        if (i >= m_text.size())
            return;
        const char c = m_text[i];
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
            const std::size_t start = i;
            while (i < m_text.size() && (std::isalnum(static_cast<unsigned char>(m_text[i])) ||
                                         m_text[i] == '_' || m_text[i] == '.'))
                ++i;
            m_token.kind = Token::Name;
            m_token.text = m_text.substr(start, i - start);
            return;
        }
        if (std::isdigit(static_cast<unsigned char>(c)) ||
            ((c == '.' || c == '-' || c == '+') && i + 1 < m_text.size() &&
             (std::isdigit(static_cast<unsigned char>(m_text[i + 1])) || m_text[i + 1] == '.'))) {
            const char* begin = m_text.c_str() + i;
            char* end = nullptr;
            m_token.number = std::strtod(begin, &end);
            m_token.kind = Token::Number;
            m_token.text = std::string(begin, static_cast<const char*>(end));
            i += std::size_t(end - begin);
            return;
        }
        if (c == '"' || c == '\'') {
            const std::size_t start = i++;
            std::string value;
            while (i < m_text.size() && m_text[i] != c)
                value += m_text[i++];
            if (i >= m_text.size())
                throw FilterError("the string is not closed", start);
            ++i;
            m_token.kind = Token::String;
            m_token.text = value;
            return;
        }
        for (const char* symbol :
             {"<=", ">=", "==", "!=", "&&", "||", "<", ">", "=", "(", ")", "[", "]", ",", "!"}) {
            const std::size_t n = std::char_traits<char>::length(symbol);
            if (m_text.compare(i, n, symbol) == 0) {
                m_token.kind = Token::Symbol;
                m_token.text = symbol;
                i += n;
                return;
            }
        }
        throw FilterError(std::string("unexpected character '") + c + "'", i);
    }

    bool isWord(const char* word) const {
        return m_token.kind == Token::Name && m_token.text == word;
    }
    bool isSymbol(const char* symbol) const {
        return m_token.kind == Token::Symbol && m_token.text == symbol;
    }

    static NodePtr make(Op op, std::vector<NodePtr> children) {
        auto n = std::make_shared<TrialFilter::Node>();
        n->op = op;
        n->children = std::move(children);
        return n;
    }

    NodePtr parseOr() {
        NodePtr left = parseAnd();
        while (isWord("or") || isSymbol("||")) {
            next();
            left = make(Op::Or, {left, parseAnd()});
        }
        return left;
    }

    NodePtr parseAnd() {
        NodePtr left = parseNot();
        while (isWord("and") || isSymbol("&&")) {
            next();
            left = make(Op::And, {left, parseNot()});
        }
        return left;
    }

    NodePtr parseNot() {
        if (isWord("not") || isSymbol("!")) {
            next();
            return make(Op::Not, {parseNot()});
        }
        return parseComparison();
    }

    NodePtr parseComparison() {
        NodePtr left = parseOperand();
        static const std::pair<const char*, Op> ops[] = {
            {"<=", Op::Le}, {">=", Op::Ge}, {"==", Op::Eq}, {"=", Op::Eq},
            {"!=", Op::Ne}, {"<", Op::Lt},  {">", Op::Gt}};
        for (const auto& [symbol, op] : ops)
            if (isSymbol(symbol)) {
                next();
                return make(op, {left, parseOperand()});
            }
        if (isWord("in")) {
            next();
            if (!isSymbol("["))
                throw FilterError("'in' needs a list, e.g. in [1, 2]", m_token.position);
            return make(Op::In, {left, parseOperand()});
        }
        return left; // a bare value: true when it is true (a boolean parameter)
    }

    NodePtr parseOperand() {
        const Token t = m_token;
        if (isSymbol("(")) {
            next();
            NodePtr inner = parseOr();
            if (!isSymbol(")"))
                throw FilterError("a '(' is not closed", t.position);
            next();
            return inner;
        }
        if (isSymbol("[")) {
            next();
            std::vector<NodePtr> items;
            while (!isSymbol("]")) {
                if (m_token.kind == Token::End)
                    throw FilterError("a '[' is not closed", t.position);
                items.push_back(parseOperand());
                if (isSymbol(","))
                    next();
                else if (!isSymbol("]"))
                    throw FilterError("expected ',' or ']' in the list", m_token.position);
            }
            next();
            return make(Op::List, std::move(items));
        }
        auto node = std::make_shared<TrialFilter::Node>();
        if (t.kind == Token::Number) {
            node->literal = t.number;
        } else if (t.kind == Token::String) {
            node->literal = t.text;
        } else if (t.kind == Token::Name && (t.text == "true" || t.text == "false")) {
            node->literal = t.text == "true";
        } else if (t.kind == Token::Name && t.text != "and" && t.text != "or" && t.text != "not" &&
                   t.text != "in") {
            node->op = Op::Name;
            node->name = t.text;
            if (std::find(m_names.begin(), m_names.end(), t.text) == m_names.end())
                m_names.push_back(t.text);
        } else {
            throw FilterError(t.kind == Token::End
                                  ? "expected a name or a value at the end"
                                  : "expected a name or a value, not '" + t.text + "'",
                              t.position);
        }
        next();
        return node;
    }

    const std::string& m_text;
    std::vector<std::string>& m_names;
    std::size_t m_pos = 0;
    Token m_token;
};

Value lookup(const Trial& t, const std::string& name) {
    if (name == "state")
        return std::string(toText(t.state));
    if (name == "number")
        return double(t.number);
    if (const auto it = t.params.find(name); it != t.params.end())
        return fromJson(*it);
    if (const auto it = t.values.find(name); it != t.values.end())
        return std::isfinite(it->second) ? Value(it->second) : Value(std::monostate{});
    return std::monostate{};
}

Value evaluate(const TrialFilter::Node& n, const Trial& t);

bool truthy(const Value& v) {
    if (const bool* b = std::get_if<bool>(&v))
        return *b;
    return false;
}

// The comparison of two present values of the same kind; nothing when they cannot compare.
std::optional<int> compare(const Value& a, const Value& b) {
    if (a.index() != b.index() || std::holds_alternative<std::monostate>(a))
        return std::nullopt;
    if (const double* x = std::get_if<double>(&a)) {
        const double y = std::get<double>(b);
        return *x < y ? -1 : (*x > y ? 1 : 0);
    }
    if (const std::string* x = std::get_if<std::string>(&a)) {
        const int c = x->compare(std::get<std::string>(b));
        return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    return std::get<bool>(a) == std::get<bool>(b) ? 0 : (std::get<bool>(a) ? 1 : -1);
}

Value evaluate(const TrialFilter::Node& n, const Trial& t) {
    switch (n.op) {
    case Op::Literal:
        return n.literal;
    case Op::Name:
        return lookup(t, n.name);
    case Op::List:
        return std::monostate{}; // only meaningful after `in`
    case Op::Not:
        return !truthy(evaluate(*n.children[0], t));
    case Op::And:
        return truthy(evaluate(*n.children[0], t)) && truthy(evaluate(*n.children[1], t));
    case Op::Or:
        return truthy(evaluate(*n.children[0], t)) || truthy(evaluate(*n.children[1], t));
    case Op::In: {
        const Value v = evaluate(*n.children[0], t);
        for (const auto& item : n.children[1]->children)
            if (compare(v, evaluate(*item, t)) == 0)
                return true;
        return false;
    }
    default: {
        const std::optional<int> c =
            compare(evaluate(*n.children[0], t), evaluate(*n.children[1], t));
        if (!c)
            return false; // a missing value, or a number against a string
        switch (n.op) {
        case Op::Lt:
            return *c < 0;
        case Op::Le:
            return *c <= 0;
        case Op::Gt:
            return *c > 0;
        case Op::Ge:
            return *c >= 0;
        case Op::Eq:
            return *c == 0;
        case Op::Ne:
            return *c != 0;
        default:
            return false;
        }
    }
    }
}

} // namespace

TrialFilter TrialFilter::parse(const std::string& text) {
    TrialFilter f;
    f.m_text = text;
    if (std::all_of(text.begin(), text.end(),
                    [](char c) { return std::isspace(static_cast<unsigned char>(c)); }))
        return f;
    Parser parser(text, f.m_names);
    f.m_root = parser.parseAll();
    return f;
}

bool TrialFilter::matches(const Trial& trial) const {
    return !m_root || truthy(evaluate(*m_root, trial));
}

} // namespace ps
