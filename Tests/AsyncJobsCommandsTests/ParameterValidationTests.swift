import AsyncJobs
import AsyncJobsCommands
import Testing

@Suite struct ParameterValidationTests {
    static let schema = JobParameterSchema([
        JobParameter("file", .string, required: true, pattern: "[A-Za-z0-9._-]+", maxLength: 64),
        JobParameter("level", .integer, default: 6, range: 1...9),
        JobParameter("ratio", .number, minimum: 0, maximum: 1),
        JobParameter("format", .string, default: "csv", allowedValues: ["csv", "tsv"]),
        JobParameter("verbose", .boolean),
    ])

    func refusal(_ parameters: JobParameters) -> JobError? {
        do {
            _ = try Self.schema.validate(parameters)
            return nil
        } catch let error as JobError {
            return error
        } catch {
            return nil
        }
    }

    @Test func fillsDefaultsAndKeepsGivenValues() throws {
        let validated = try Self.schema.validate(["file": "a.txt", "verbose": true, "ratio": 0.5])
        #expect(validated == ["file": "a.txt", "level": 6, "format": "csv", "verbose": true, "ratio": 0.5])
    }

    @Test func nullCountsAsLeftOut() throws {
        #expect(try Self.schema.validate(["file": "a", "level": nil])["level"] == 6)
    }

    @Test(arguments: [
        (["level": 3] as JobParameters, "file", "'file' is required"),
        (["file": "a", "level": 10], "level", "'level' must be between 1 and 9"),
        (["file": "a", "level": 0], "level", "'level' must be between 1 and 9"),
        (["file": "a", "level": 2.5], "level", "'level' must be an integer"),
        (["file": "a", "level": "6"], "level", "'level' must be an integer"),
        (["file": "a", "ratio": 1.5], "ratio", "'ratio' must be between 0 and 1"),
        (["file": "a", "format": "xml"], "format", "'format' must be one of: csv, tsv"),
        (["file": "a", "verbose": "yes"], "verbose", "'verbose' must be true or false"),
        (["file": "../etc/passwd"], "file", "'file' must match the pattern [A-Za-z0-9._-]+"),
        (["file": "\"; rm -rf /\""], "file", "'file' must match the pattern [A-Za-z0-9._-]+"),
        (["file": 7], "file", "'file' must be a string"),
        (["file": "a", "colour": "red"], "colour", "unknown parameter 'colour'; known: file, level, ratio, format, verbose"),
    ])
    func refusesNamingTheField(parameters: JobParameters, field: String, message: String) {
        let error = refusal(parameters)
        #expect(error?.code == .invalidParameters)
        #expect(error?.field == field)
        #expect(error?.message == message)
    }

    @Test func patternMustMatchTheWholeString() {
        #expect(refusal(["file": "ok.txt extra"])?.field == "file")
        #expect(refusal(["file": .string(String(repeating: "a", count: 65))])?.message == "'file' must be at most 64 characters")
    }

    @Test func jsonSchemaListsTheConstraints() {
        guard case .object(let root) = Self.schema.jsonSchema, case .object(let properties)? = root["properties"],
            case .object(let level)? = properties["level"], case .object(let file)? = properties["file"]
        else {
            Issue.record("not an object schema")
            return
        }
        #expect(root["required"] == ["file"])
        #expect(root["additionalProperties"] == false)
        #expect(level == ["type": "integer", "default": 6, "minimum": 1, "maximum": 9])
        #expect(file["pattern"] == "^(?:[A-Za-z0-9._-]+)$")
    }
}
