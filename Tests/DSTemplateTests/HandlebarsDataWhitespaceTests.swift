import DSJSON
import DSTemplate
import XCTest

/// Cases ported from handlebars.js `spec/data.js`, `spec/whitespace-control.js` and
/// `spec/subexpressions.js` (custom helpers there are replaced by built-in ones).
final class HandlebarsDataWhitespaceTests: XCTestCase {
    func testData() {
        check([
            Case("{{@hello}}", "{}", "hello", data: ["hello": "hello"]),
            Case("{{@settings.region}}-{{region}}", #"{"region": "event"}"#, "eu-event", data: ["settings": ["region": "eu"]]),
            Case("{{foo}} {{@root.foo}}", #"{"foo": "hello"}"#, "hello hello"),
            Case("{{#with foo}}{{bar}} {{@root.top}}{{/with}}", #"{"top": "T", "foo": {"bar": "B"}}"#, "B T"),
            Case("{{#each items}}{{@root.name}}{{/each}}", #"{"name": "N", "items": [1, 2]}"#, "NN"),
            Case("{{@root.foo}}", #"{"foo": "event"}"#, "passed", data: ["root": ["foo": "passed"]]),
            Case("{{#each list}}{{#with this}}{{@index}}{{/with}}{{/each}}", #"{"list": [{"a": 1}, {"a": 2}]}"#, "01"),
            Case("{{#each list}}{{@first}}/{{@last}} {{/each}}", #"{"list": [1, 2]}"#, "true/false false/true "),
            Case("{{#if @secrets.key}}yes{{/if}}", "{}", "yes", data: ["secrets": ["key": "s"]]),
            Case("{{@missing.deep}}", "{}", ""),
        ])
    }

    func testWhitespaceAroundMustaches() {
        let foo = #"{"foo": "bar<"}"#
        check([
            Case(" {{~foo~}} ", foo, "bar&lt;"),
            Case(" {{~foo}} ", foo, "bar&lt; "),
            Case(" {{foo~}} ", foo, " bar&lt;"),
            Case(" {{~&foo~}} ", foo, "bar<"),
            Case(" {{~{foo}~}} ", foo, "bar<"),
            Case("1\n{{foo~}} \n\n 23\n{{bar}}4", "{}", "1\n23\n4"),
            Case(" {{~foo~}} {{foo}} {{foo}} ", #"{"foo": "bar"}"#, "barbar bar "),
        ])
    }

    func testWhitespaceAroundBlocks() {
        let foo = #"{"foo": "bar<"}"#
        check([
            Case(" {{~#if foo~}} bar {{~/if~}} ", foo, "bar"),
            Case(" {{#if foo~}} bar {{/if~}} ", foo, " bar "),
            Case(" {{~#if foo}} bar {{~/if}} ", foo, " bar "),
            Case(" {{#if foo}} bar {{/if}} ", foo, "  bar  "),
            Case(" \n\n{{~#if foo~}} \n\nbar \n\n{{~/if~}}\n\n ", foo, "bar"),
            Case(" a\n\n{{~#if foo~}} \n\nbar \n\n{{~/if~}}\n\na ", foo, " abara "),
            Case(" {{~^if foo~}} bar {{~/if~}} ", "{}", "bar"),
            Case(" {{^if foo~}} bar {{/if~}} ", "{}", " bar "),
            Case(" {{~^if foo}} bar {{~/if}} ", "{}", " bar "),
            Case(" {{^if foo}} bar {{/if}} ", "{}", "  bar  "),
        ])
    }

    func testWhitespaceAroundComplexBlocks() {
        let foo = #"{"foo": "bar<"}"#
        check([
            Case("{{#if foo~}} bar {{~^~}} baz {{~/if}}", foo, "bar"),
            Case("{{#if foo~}} bar {{^~}} baz {{/if}}", foo, "bar "),
            Case("{{#if foo}} bar {{~^~}} baz {{~/if}}", foo, " bar"),
            Case("{{#if foo}} bar {{^~}} baz {{/if}}", foo, " bar "),
            Case("{{#if foo~}} bar {{~else~}} baz {{~/if}}", foo, "bar"),
            Case("\n\n{{~#if foo~}} \n\nbar \n\n{{~^~}} \n\nbaz \n\n{{~/if~}}\n\n", foo, "bar"),
            Case("\n\n{{~#if foo~}} \n\n{{{foo}}} \n\n{{~^~}} \n\nbaz \n\n{{~/if~}}\n\n", foo, "bar<"),
            Case("{{#if foo~}} bar {{~^~}} baz {{~/if}}", "{}", "baz"),
            Case("{{#if foo}} bar {{~^~}} baz {{/if}}", "{}", "baz "),
            Case("{{#if foo~}} bar {{~^}} baz {{~/if}}", "{}", " baz"),
            Case("{{#if foo~}} bar {{~^}} baz {{/if}}", "{}", " baz "),
            Case("{{#if foo~}} bar {{~else~}} baz {{~/if}}", "{}", "baz"),
            Case("\n\n{{~#if foo~}} \n\nbar \n\n{{~^~}} \n\nbaz \n\n{{~/if~}}\n\n", "{}", "baz"),
        ])
    }

    func testWhitespaceAroundPartialsAndStandalone() {
        check([
            Case("foo {{~> dude~}} ", "{}", "foobar", partials: ["dude": "bar"]),
            Case("foo {{> dude~}} ", "{}", "foo bar", partials: ["dude": "bar"]),
            Case("foo {{> dude}} ", "{}", "foo bar ", partials: ["dude": "bar"]),
            Case("foo\n {{~> dude}} ", "{}", "foobar", partials: ["dude": "bar"]),
            Case("foo\n {{> dude}} ", "{}", "foo\n bar", partials: ["dude": "bar"]),
            Case("<ul>\n  {{#each list}}\n  <li>{{this}}</li>\n  {{/each}}\n</ul>", #"{"list": ["a", "b"]}"#, "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>"),
            Case("a\n  {{! standalone comment }}\nb", "{}", "a\nb"),
            Case("{{{{raw}}}} {{x}} {{{{/raw}}}}", #"{"x": 1}"#, " {{x}} "),
            Case("{{{{raw}}}}{{{{raw}}}}{{x}}{{{{/raw}}}}{{{{/raw}}}}", "{}", "{{{{raw}}}}{{x}}{{{{/raw}}}}"),
        ])
    }

    func testSubexpressions() {
        check([
            Case("{{uppercase (lowercase name)}}", #"{"name": "MiXeD"}"#, "MIXED"),
            Case("{{uppercase (trim (lowercase name))}}", #"{"name": "  MiXeD "}"#, "MIXED"),
            Case("{{#if (eq a b)}}same{{else}}different{{/if}}", #"{"a": 1, "b": 1.0}"#, "same"),
            Case("{{#if (eq (lowercase a) (lowercase b))}}same{{/if}}", #"{"a": "X", "b": "x"}"#, "same"),
            Case("{{eq (string num) \"5\"}}", #"{"num": 5}"#, "true"),
            Case("{{#each (lookup this \"items\")}}{{.}}{{/each}}", #"{"items": [1, 2]}"#, "12"),
            Case("{{#with (lookup person \"address\")}}{{city}}{{/with}}", #"{"person": {"address": {"city": "Oslo"}}}"#, "Oslo"),
            Case("{{> dude name=(uppercase who)}}", #"{"who": "bob"}"#, "BOB", partials: ["dude": "{{name}}"]),
            Case("{{default (lowercase missing) \"none\"}}", "{}", "none"),
            Case("{{join (default list empty) \"-\"}}", #"{"list": ["a", "b"]}"#, "a-b"),
        ])
        XCTAssertNotNil(compileError("{{uppercase (lowercase)}}"))
        XCTAssertNotNil(compileError("{{uppercase (nosuch x)}}"))
    }

    func testBuiltInValueHelpers() {
        check([
            Case("{{json obj}}", #"{"obj": {"a": [1, "x"]}}"#, "{&quot;a&quot;:[1,&quot;x&quot;]}"),
            Case("{{{json obj}}}", #"{"obj": {"a": [1, "x"]}}"#, #"{"a":[1,"x"]}"#),
            Case("{{trim s}}|{{uppercase s}}", #"{"s": " a "}"#, "a| A "),
            Case("{{default a b}}", #"{"a": "", "b": "B"}"#, "B"),
            Case("{{default a b}}", #"{"a": 0, "b": "B"}"#, "0"),
            Case("{{ne 1 2}} {{gt 2 1}} {{lt 2 1}} {{gte 2 2}} {{lte \"a\" \"b\"}}", "{}", "true true false true true"),
            Case("{{and a b}} {{or a b}} {{not a}}", #"{"a": 1, "b": 0}"#, "false true false"),
            Case("{{join tags \", \"}}", #"{"tags": ["a", 1, true]}"#, "a, 1, true"),
            Case("{{sha256 s}}", #"{"s": "abc"}"#, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            Case("{{sha256 missing}}", "{}", ""),
            Case("{{base64 s}}", #"{"s": "hello"}"#, "aGVsbG8&#x3D;"),
            Case("{{{urlencode s}}}", #"{"s": "a b/c?d=é"}"#, "a%20b%2Fc%3Fd%3D%C3%A9"),
            Case("{{date t \"unix\"}} {{date t \"unix_ms\"}} {{date t \"iso8601\"}}", #"{"t": "2024-01-02T03:04:05.678+01:00"}"#,
                 "1704161045 1704161045678 2024-01-02T02:04:05.678Z"),
            Case("{{date t \"iso8601\"}}|{{date ms \"iso8601\"}}", #"{"t": 1704164645, "ms": 1704164645678}"#, "2024-01-02T03:04:05.000Z|2024-01-02T03:04:05.678Z"),
            Case("{{number s}}|{{number bad}}|{{length list}}|{{length s}}", #"{"s": "12.50", "bad": "x", "list": [1, 2, 3]}"#, "12.50||3|5"),
        ])
    }
}
