import DSJSON
import DSTemplate
import XCTest

/// Cases ported from handlebars.js `spec/basic.js` and `spec/partials.js`.
final class HandlebarsBasicTests: XCTestCase {
    func testMostBasicAndContexts() {
        check([
            Case("{{foo}}", #"{"foo": "foo"}"#, "foo"),
            Case("Goodbye\n{{cruel}}\n{{world}}!", #"{"cruel": "cruel", "world": "world"}"#, "Goodbye\ncruel\nworld!"),
            Case("{{.}}{{length}}", #""bye""#, "bye3"),
            Case("Goodbye\n{{cruel}}\n{{world.bar}}!", "null", "Goodbye\n\n!"),
            Case("{{#unless foo}}Goodbye{{../test}}{{test2}}{{/unless}}", "null", "Goodbye"),
        ])
    }

    func testEscapedMustaches() {
        check([
            Case("\\{{foo}}", #"{"foo": "food"}"#, "{{foo}}"),
            Case("content \\{{foo}}", #"{"foo": "food"}"#, "content {{foo}}"),
            Case("\\\\{{foo}}", #"{"foo": "food"}"#, "\\food"),
            Case("content \\\\{{foo}}", #"{"foo": "food"}"#, "content \\food"),
            Case("\\\\ {{foo}}", #"{"foo": "food"}"#, "\\\\ food"),
            Case("\\{{foo}} and {{foo}}", #"{"foo": "food"}"#, "{{foo}} and food"),
        ])
    }

    func testComments() {
        check([
            Case("{{! Goodbye}}Goodbye\n{{cruel}}\n{{world}}!", #"{"cruel": "cruel", "world": "world"}"#, "Goodbye\ncruel\nworld!"),
            Case("    {{~! comment ~}}      blah", "{}", "blah"),
            Case("    {{~!-- long-comment --~}}      blah", "{}", "blah"),
            Case("    {{! comment ~}}      blah", "{}", "    blah"),
            Case("    {{!-- long-comment --~}}      blah", "{}", "    blah"),
            Case("    {{~! comment}}      blah", "{}", "      blah"),
            Case("    {{~!-- long-comment --}}      blah", "{}", "      blah"),
            Case("{{!-- a }} inside --}}ok", "{}", "ok"),
        ])
    }

    func testBooleansZerosAndFalse() {
        check([
            Case("{{#goodbye}}GOODBYE {{/goodbye}}cruel {{world}}!", #"{"goodbye": true, "world": "world"}"#, "GOODBYE cruel world!"),
            Case("{{#goodbye}}GOODBYE {{/goodbye}}cruel {{world}}!", #"{"goodbye": false, "world": "world"}"#, "cruel world!"),
            Case("num1: {{num1}}, num2: {{num2}}", #"{"num1": 42, "num2": 0}"#, "num1: 42, num2: 0"),
            Case("num: {{.}}", "0", "num: 0"),
            Case("num: {{num1/num2}}", #"{"num1": {"num2": 0}}"#, "num: 0"),
            Case("val1: {{val1}}, val2: {{val2}}", #"{"val1": false, "val2": false}"#, "val1: false, val2: false"),
            Case("val: {{.}}", "false", "val: false"),
            Case("val1: {{{val1}}}, val2: {{{val2}}}", #"{"val1": false, "val2": false}"#, "val1: false, val2: false"),
        ])
    }

    func testNewlinesAndEscapingText() {
        check([
            Case("Alan's\nTest", "{}", "Alan's\nTest"),
            Case("Alan's\rTest", "{}", "Alan's\rTest"),
            Case("Awesome's", "{}", "Awesome's"),
            Case("Awesome\\", "{}", "Awesome\\"),
            Case("Awesome\\\\ foo", "{}", "Awesome\\\\ foo"),
            Case("Awesome {{foo}}", #"{"foo": "\\"}"#, "Awesome \\"),
            Case(" ' ' ", "{}", " ' ' "),
        ])
    }

    func testEscapingExpressions() {
        check([
            Case("{{{awesome}}}", #"{"awesome": "&'\\<>"}"#, "&'\\<>"),
            Case("{{&awesome}}", #"{"awesome": "&'\\<>"}"#, "&'\\<>"),
            Case("{{awesome}}", #"{"awesome": "&\"'`\\<>"}"#, "&amp;&quot;&#x27;&#x60;\\&lt;&gt;"),
            Case("{{awesome}}", #"{"awesome": "Escaped, <b> looks like: &lt;b&gt;"}"#, "Escaped, &lt;b&gt; looks like: &amp;lt;b&amp;gt;"),
            Case("{{awesome}}", #"{"awesome": "a=b"}"#, "a&#x3D;b"),
        ])
    }

    func testPaths() {
        check([
            Case("{{foo-bar}}", #"{"foo-bar": "baz"}"#, "baz"),
            Case("{{foo.foo-bar}}", #"{"foo": {"foo-bar": "baz"}}"#, "baz"),
            Case("{{foo/foo-bar}}", #"{"foo": {"foo-bar": "baz"}}"#, "baz"),
            Case("Goodbye {{alan/expression}} world!", #"{"alan": {"expression": "beautiful"}}"#, "Goodbye beautiful world!"),
            Case("Goodbye {{alan/expression}} world!", #"{"alan": {"expression": ""}}"#, "Goodbye  world!"),
            Case("Goodbye {{[@alan]/expression}} world!", #"{"@alan": {"expression": "beautiful"}}"#, "Goodbye beautiful world!"),
            Case("Goodbye {{[foo bar]/expression}} world!", #"{"foo bar": {"expression": "beautiful"}}"#, "Goodbye beautiful world!"),
            Case("Goodbye {{[foo bar]}} world!", #"{"foo bar": "beautiful"}"#, "Goodbye beautiful world!"),
            Case("Goodbye {{\"foo bar\"}} world!", #"{"foo bar": "beautiful"}"#, "Goodbye beautiful world!"),
            Case("Goodbye {{'foo bar'}} world!", #"{"foo bar": "beautiful"}"#, "Goodbye beautiful world!"),
            Case("Goodbye {{\"foo[bar\"}} world!", #"{"foo[bar": "beautiful"}"#, "Goodbye beautiful world!"),
            Case("Goodbye {{\"foo'bar\"}} world!", #"{"foo'bar": "beautiful"}"#, "Goodbye beautiful world!"),
            Case("Goodbye {{'foo\"bar'}} world!", #"{"foo\"bar": "beautiful"}"#, "Goodbye beautiful world!"),
            Case("test: {{.}}", "null", "test: "),
            Case("{{person/name}}", #"{"person": {"name": null}}"#, ""),
            Case("{{person/name}}", #"{"person": {}}"#, ""),
            Case("{{items.1}}", #"{"items": ["a", "b"]}"#, "b"),
            Case("{{items.length}}", #"{"items": ["a", "b"]}"#, "2"),
        ])
    }

    func testThisKeyword() {
        check([
            Case("{{#goodbyes}}{{this}}{{/goodbyes}}", #"{"goodbyes": ["goodbye", "Goodbye", "GOODBYE"]}"#, "goodbyeGoodbyeGOODBYE"),
            Case("{{#hellos}}{{this/text}}{{/hellos}}", #"{"hellos": [{"text": "hello"}, {"text": "Hello"}, {"text": "HELLO"}]}"#, "helloHelloHELLO"),
            Case("{{#goodbyes}}{{uppercase this}}{{/goodbyes}}", #"{"goodbyes": ["goodbye", "Goodbye"]}"#, "GOODBYEGOODBYE"),
            Case("{{#hellos}}{{lowercase this.text}}{{/hellos}}", #"{"hellos": [{"text": "HeLLo"}]}"#, "hello"),
        ])
        XCTAssertEqual(compileError("{{#hellos}}{{text/this/foo}}{{/hellos}}")?.offset, 18)
    }

    func testLiterals() {
        check([
            Case("{{\"foo\"}}", "{}", ""),
            Case("{{\"foo\"}}", #"{"foo": "bar"}"#, "bar"),
            Case("{{#\"foo\"}}{{.}}{{/\"foo\"}}", #"{"foo": ["bar", "baz"]}"#, "barbaz"),
            Case("{{12}}", "{}", ""),
            Case("{{12}}", #"{"12": "bar"}"#, "bar"),
            Case("{{12.34}}", "{}", ""),
            Case("{{12.34}}", #"{"12.34": "bar"}"#, "bar"),
            Case("{{true}}", "{}", ""),
            Case("{{true}}", #"{"": "foo"}"#, ""),
            Case("{{false}}", #"{"false": "foo"}"#, "foo"),
            Case("{{default missing 12}}", "{}", "12"),
            Case("{{default missing true}}", "{}", "true"),
            Case("{{default missing null}}", "{}", ""),
        ])
    }

    func testPartials() {
        let dudes = #"{"dudes": [{"name": "Yehuda", "url": "http://yehuda"}, {"name": "Alan", "url": "http://alan"}]}"#
        check([
            Case("Dudes: {{#dudes}}{{> dude}}{{/dudes}}", dudes, "Dudes: Yehuda (http://yehuda) Alan (http://alan) ",
                 partials: ["dude": "{{name}} ({{url}}) "]),
            Case("Dudes: {{>dude dudes}}", dudes, "Dudes: Yehuda (http://yehuda) Alan (http://alan) ",
                 partials: ["dude": "{{#this}}{{name}} ({{url}}) {{/this}}"]),
            Case("Dudes: {{#dudes}}{{> dude others=..}}{{/dudes}}", #"{"foo": "bar", "dudes": [{"name": "Yehuda", "url": "http://yehuda"}, {"name": "Alan", "url": "http://alan"}]}"#,
                 "Dudes: barYehuda (http://yehuda) barAlan (http://alan) ", partials: ["dude": "{{others.foo}}{{name}} ({{url}}) "]),
            Case("Dudes: {{#dudes}}{{>dude}}{{/dudes}}", dudes,
                 "Dudes: Yehuda <a href='http://yehuda'>http://yehuda</a> Alan <a href='http://alan'>http://alan</a> ",
                 partials: ["dude": "{{name}} {{> url}} ", "url": "<a href='{{url}}'>{{url}}</a>"]),
            Case("Dudes: {{> shared/dude}}", #"{"name": "Jeepers"}"#, "Dudes: Jeepers", partials: ["shared/dude": "{{name}}"]),
            Case("Dudes: {{> \"shared/dude\"}}", #"{"name": "Jeepers"}"#, "Dudes: Jeepers", partials: ["shared/dude": "{{name}}"]),
            Case("Dudes:\n{{#dudes}}\n  {{> dude}}\n{{/dudes}}", dudes, "Dudes:\n  Yehuda\n  Alan\n", partials: ["dude": "{{name}}\n"]),
            Case("Dudes: {{> dude name=\"Bob\"}}", "{}", "Dudes: Bob", partials: ["dude": "{{name}}"]),
            Case("{{> tree}}", #"{"name": "a", "kids": [{"name": "b", "kids": [{"name": "c"}]}]}"#, "a(b(c))",
                 partials: ["tree": "{{name}}{{#if kids}}({{#each kids}}{{> tree}}{{/each}}){{/if}}"]),
        ])
        let error = compileError("Dudes: {{> dud}}", partials: ["dude": "x"])
        XCTAssertEqual(error?.offset, 7)
        XCTAssertTrue(error?.message.contains("did you mean 'dude'") == true, error?.message ?? "")
    }

    func testRunawayPartialRecursionFailsAtRenderTime() throws {
        let t = try CompiledTemplate.compile("{{> loop}}", mode: .text, partials: ["loop": "x{{> loop}}"])
        XCTAssertThrowsError(try t.render(.object(JSONObject()))) { error in
            XCTAssertTrue("\(error)".contains("deeper than 64"), "\(error)")
        }
    }
}
