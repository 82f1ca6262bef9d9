import DSJSON
import DSTemplate
import XCTest

/// Cases ported from handlebars.js `spec/blocks.js` and `spec/builtins.js`.
final class HandlebarsBlockTests: XCTestCase {
    let goodbyes = #"{"goodbyes": [{"text": "goodbye"}, {"text": "Goodbye"}, {"text": "GOODBYE"}], "world": "world"}"#

    func testSections() {
        check([
            Case("{{#goodbyes}}{{text}}! {{/goodbyes}}cruel {{world}}!", goodbyes, "goodbye! Goodbye! GOODBYE! cruel world!"),
            Case("{{#goodbyes}}{{text}}! {{/goodbyes}}cruel {{world}}!", #"{"goodbyes": [], "world": "world"}"#, "cruel world!"),
            Case("{{#goodbyes}}{{text}}{{/goodbyes}} {{#goodbyes}}{{text}}{{/goodbyes}}", goodbyes, "goodbyeGoodbyeGOODBYE goodbyeGoodbyeGOODBYE"),
            Case("{{#goodbyes}}{{@index}}. {{text}}! {{/goodbyes}}cruel {{world}}!", goodbyes, "0. goodbye! 1. Goodbye! 2. GOODBYE! cruel world!"),
            Case("{{#goodbyes}}{{/goodbyes}}cruel {{world}}!", goodbyes, "cruel world!"),
            Case("{{#goodbyes}}{{/goodbyes}}cruel {{world}}!", #"{"goodbyes": [], "world": "world"}"#, "cruel world!"),
            Case("{{#goodbyes}}{{text}} cruel {{../name}}! {{/goodbyes}}", #"{"name": "Alan", "goodbyes": [{"text": "goodbye"}, {"text": "Goodbye"}, {"text": "GOODBYE"}]}"#,
                 "goodbye cruel Alan! Goodbye cruel Alan! GOODBYE cruel Alan! "),
            Case("{{#goodbyes}}{{../name}}{{../name}}{{/goodbyes}}", #"{"name": "Alan", "goodbyes": [{"text": "goodbye"}, {"text": "Goodbye"}, {"text": "GOODBYE"}]}"#,
                 "AlanAlanAlanAlanAlanAlan"),
            Case("{{#outer}}Goodbye {{#inner}}cruel {{../sibling}} {{../../omg}}{{/inner}}{{/outer}}",
                 #"{"omg": "OMG!", "outer": [{"sibling": "sad", "inner": [{"text": "goodbye"}]}]}"#, "Goodbye cruel sad OMG!"),
            Case("{{#each person}}{{#with .}}{{first}} {{last}}{{/with}}{{/each}}",
                 #"{"person": [{"first": "Alan", "last": "Johnson"}, {"first": "Alan", "last": "Johnson"}]}"#, "Alan JohnsonAlan Johnson"),
            Case("{{#data}}\n{{#if true}}\n{{.}}\n{{/if}}\n{{/data}}\nOK.", #"{"data": [1, 3, 5]}"#, "1\n3\n5\nOK."),
            Case("{{#person}}{{name}}{{/person}}", #"{"person": {"name": "Ada"}}"#, "Ada"),
        ])
        XCTAssertNotNil(compileError("{{#goodbyes}}{{text}} cruel {{foo/../name}}! {{/goodbyes}}"))
    }

    func testInvertedSections() {
        check([
            Case("{{#people}}{{name}}{{^}}{{none}}{{/people}}", #"{"none": "No people"}"#, "No people"),
            Case("{{#people}}{{name}}{{else}}{{none}}{{/people}}", #"{"none": "No people"}"#, "No people"),
            Case("{{#people}}{{name}}{{else if none}}{{none}}{{/people}}", #"{"none": "No people"}"#, "No people"),
            Case("{{#people}}{{name}}{{else if nothere}}fail{{else unless nothere}}{{none}}{{/people}}", #"{"none": "No people"}"#, "No people"),
            Case("{{#people}}{{name}}{{else if none}}{{none}}{{else}}fail{{/people}}", #"{"none": "No people"}"#, "No people"),
            Case("{{#people}}{{name}}{{^}}{{none}}{{/people}}", #"{"none": "No people", "people": []}"#, "No people"),
            Case("{{^goodbyes}}Right On!{{/goodbyes}}", "{}", "Right On!"),
            Case("{{^goodbyes}}Right On!{{/goodbyes}}", #"{"goodbyes": false}"#, "Right On!"),
            Case("{{^goodbyes}}Right On!{{/goodbyes}}", #"{"goodbyes": []}"#, "Right On!"),
            Case("{{^goodbyes}}Right On!{{/goodbyes}}", #"{"goodbyes": [1]}"#, ""),
            Case("{{#people}}\n{{name}}\n{{^}}\n{{none}}\n{{/people}}\n", #"{"none": "No people"}"#, "No people\n"),
            Case("{{#none}}\n{{.}}\n{{^}}\n{{none}}\n{{/none}}\n", #"{"none": "No people"}"#, "No people\n"),
            Case("{{#people}}\n{{name}}\n{{else if none}}\n{{none}}\n{{/people}}\n", #"{"none": "No people"}"#, "No people\n"),
            Case("{{#people}}\n{{name}}\n{{else if none}}\n{{none}}\n{{^}}\n{{/people}}\n", #"{"none": "No people"}"#, "No people\n"),
        ])
        XCTAssertNotNil(compileError("{{#people}}{{name}}{{else if none}}{{none}}{{/if}}"))
    }

    func testCompatLookup() {
        check([
            Case("{{#outer}}Goodbye {{#inner}}cruel {{omg}}{{/inner}}{{/outer}}",
                 #"{"omg": "OMG!", "outer": [{"inner": [{"text": "goodbye"}]}]}"#, "Goodbye cruel OMG!", compat: true),
            Case("{{#outer}}Goodbye {{#inner}}cruel {{omg}}{{/inner}}{{/outer}}",
                 #"{"omg": "OMG!", "outer": [{"inner": [{"text": "goodbye"}]}]}"#, "Goodbye cruel ", compat: false),
            Case("{{#outer}}{{#inner}}{{omg.yes}}{{/inner}}{{/outer}}",
                 #"{"omg": {"yes": "Y"}, "outer": [{"inner": [{"text": "goodbye"}]}]}"#, "Y", compat: true),
        ])
    }

    func testIf() {
        let t = "{{#if goodbye}}GOODBYE {{/if}}cruel {{world}}!"
        check([
            Case(t, #"{"goodbye": true, "world": "world"}"#, "GOODBYE cruel world!"),
            Case(t, #"{"goodbye": "dummy", "world": "world"}"#, "GOODBYE cruel world!"),
            Case(t, #"{"goodbye": false, "world": "world"}"#, "cruel world!"),
            Case(t, #"{"world": "world"}"#, "cruel world!"),
            Case(t, #"{"goodbye": ["foo"], "world": "world"}"#, "GOODBYE cruel world!"),
            Case(t, #"{"goodbye": [], "world": "world"}"#, "cruel world!"),
            Case(t, #"{"goodbye": 0, "world": "world"}"#, "cruel world!"),
            Case(t, #"{"goodbye": {}, "world": "world"}"#, "GOODBYE cruel world!"),
            Case(t, #"{"goodbye": "", "world": "world"}"#, "cruel world!"),
            Case("{{#if goodbye includeZero=true}}GOODBYE {{/if}}cruel {{world}}!", #"{"goodbye": 0, "world": "world"}"#, "GOODBYE cruel world!"),
            Case("{{#if a}}A{{else if b}}B{{else}}C{{/if}}", #"{"b": 1}"#, "B"),
            Case("{{#if a}}A{{else if b}}B{{else}}C{{/if}}", "{}", "C"),
            Case("{{#if a}}A{{else}}{{#if b}}B{{/if}}{{/if}}", #"{"b": true}"#, "B"),
        ])
    }

    func testUnlessAndWith() {
        check([
            Case("{{#unless goodbye}}GOODBYE {{/unless}}cruel {{world}}!", #"{"goodbye": true, "world": "world"}"#, "cruel world!"),
            Case("{{#unless goodbye}}GOODBYE {{/unless}}cruel {{world}}!", #"{"goodbye": false, "world": "world"}"#, "GOODBYE cruel world!"),
            Case("{{#unless goodbye}}GOODBYE {{else}}BYE {{/unless}}cruel", #"{"goodbye": 1}"#, "BYE cruel"),
            Case("{{#with person}}{{first}} {{last}}{{/with}}", #"{"person": {"first": "Alan", "last": "Johnson"}}"#, "Alan Johnson"),
            Case("{{#with person}}Person is present{{else}}Person is not present{{/with}}", "{}", "Person is not present"),
            Case("{{#with person}}{{../greeting}} {{first}}{{/with}}", #"{"greeting": "Hi", "person": {"first": "Alan"}}"#, "Hi Alan"),
            Case("{{#with person}}{{#if first}}{{../greeting}}{{/if}}{{/with}}", #"{"greeting": "Hi", "person": {"first": "Alan"}}"#, "Hi"),
        ])
        XCTAssertTrue(compileError("{{#with}}{{/with}}")?.message.contains("exactly 1 argument") == true)
    }

    func testEach() {
        check([
            Case("{{#each goodbyes}}{{text}}! {{/each}}cruel {{world}}!", goodbyes, "goodbye! Goodbye! GOODBYE! cruel world!"),
            Case("{{#each goodbyes}}{{text}}! {{/each}}cruel {{world}}!", #"{"goodbyes": [], "world": "world"}"#, "cruel world!"),
            Case("{{#each goodbyes}}{{text}}! {{/each}}cruel {{world}}!", "null", "cruel !"),
            Case("{{#each goodbyes}}{{@key}}. {{text}}! {{/each}}cruel {{world}}!",
                 #"{"goodbyes": {"<b>#1</b>": {"text": "goodbye"}, "2": {"text": "GOODBYE"}}, "world": "world"}"#,
                 "&lt;b&gt;#1&lt;/b&gt;. goodbye! 2. GOODBYE! cruel world!"),
            Case("{{#each goodbyes}}{{@index}}. {{text}}! {{/each}}cruel {{world}}!", goodbyes, "0. goodbye! 1. Goodbye! 2. GOODBYE! cruel world!"),
            Case("{{#each goodbyes}}{{@index}}. {{text}}! {{#each ../goodbyes}}{{@index}} {{/each}}After {{@index}} {{/each}}{{@index}}cruel {{world}}!",
                 goodbyes, "0. goodbye! 0 1 2 After 0 1. Goodbye! 0 1 2 After 1 2. GOODBYE! 0 1 2 After 2 cruel world!"),
            Case("{{#each goodbyes}}({{#if @first}}{{text}}! {{/if}}{{#each ../goodbyes}}{{#if @first}}{{text}}!{{/if}}{{/each}}{{#if @first}} {{text}}!{{/if}}) {{/each}}cruel {{world}}!",
                 goodbyes, "(goodbye! goodbye! goodbye!) (goodbye!) (goodbye!) cruel world!"),
            Case("{{#each goodbyes}}{{#if @first}}{{text}}! {{/if}}{{/each}}cruel {{world}}!",
                 #"{"goodbyes": {"foo": {"text": "goodbye"}, "bar": {"text": "Goodbye"}}, "world": "world"}"#, "goodbye! cruel world!"),
            Case("{{#each goodbyes}}{{#if @last}}{{text}}! {{/if}}{{/each}}cruel {{world}}!", goodbyes, "GOODBYE! cruel world!"),
            Case("{{#each goodbyes}}{{#if @last}}{{text}}! {{/if}}{{/each}}cruel {{world}}!",
                 #"{"goodbyes": {"foo": {"text": "goodbye"}, "bar": {"text": "Goodbye"}}, "world": "world"}"#, "Goodbye! cruel world!"),
            Case("{{#each goodbyes}}({{#if @last}}{{text}}! {{/if}}{{#each ../goodbyes}}{{#if @last}}{{text}}!{{/if}}{{/each}}{{#if @last}} {{text}}!{{/if}}) {{/each}}cruel {{world}}!",
                 goodbyes, "(GOODBYE!) (GOODBYE!) (GOODBYE! GOODBYE! GOODBYE!) cruel world!"),
            Case("{{#each goodbyes}}{{@index}}. {{text}}! {{/each}}cruel {{world}}!",
                 #"{"goodbyes": {"a": {"text": "goodbye"}, "b": {"text": "Goodbye"}, "": {"text": "GOODBYE"}}, "world": "world"}"#,
                 "0. goodbye! 1. Goodbye! 2. GOODBYE! cruel world!"),
            Case("{{#each list}}{{.}}{{else}}none{{/each}}", #"{"list": []}"#, "none"),
            Case("{{#each list}}{{.}}{{else}}none{{/each}}", #"{"list": "text"}"#, "none"),
            Case("{{#each list}}{{@key}}={{this}};{{/each}}", #"{"list": {"b": 2, "a": 1}}"#, "b=2;a=1;"),
        ])
        XCTAssertNotNil(compileError("{{#each}}{{text}}! {{/each}}cruel world!"))
    }

    func testLookup() {
        check([
            Case("{{#each goodbyes}}{{lookup ../data @index}}{{/each}}", #"{"goodbyes": [0, 1], "data": ["foo", "bar"]}"#, "foobar"),
            Case("{{#each goodbyes}}{{lookup foo.bar @index}}{{/each}}", #"{"goodbyes": [0, 1], "foo": "bar"}"#, ""),
            Case("{{lookup map key}}", #"{"map": {"a": "A"}, "key": "a"}"#, "A"),
        ])
    }
}
