/// The REST contract, served at `GET /openapi.yaml` (CI validates it with openapi-spec-validator).
enum OpenAPIDocument {
    static let yaml = #"""
openapi: 3.1.0
info:
  title: AsyncJobs
  version: 0.1.0
  description: |
    Asynchronous jobs behind a polling API. Submit a job, poll its status URL, and download the result
    through a pre-signed, expiring URL. Every /v1/jobs route needs both `X-API-Key` and
    `Authorization: Bearer <token>` (from POST /oauth2/token). Responses are `application/json`, or
    `application/vnd.sciquest.com.ees+json` when asked for (status responses then carry exactly the
    vendor contract's fields). Errors are RFC 9457 problem documents. A node handling as many requests
    as it allows answers `503` (`overloaded`) with `Retry-After`; a tenant over its request rate gets
    `429` (`rate-limited`), and a submission past the tenant's queued-job limit `429`
    (`too-many-queued-jobs`), both with `Retry-After`.
servers:
  - url: http://127.0.0.1:8080
security:
  - apiKey: []
    bearer: []
paths:
  /oauth2/token:
    post:
      summary: OAuth 2 client-credentials grant
      security: []
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [grant_type]
              properties:
                grant_type: {type: string, enum: [client_credentials]}
                client_id: {type: string}
                client_secret: {type: string}
      responses:
        "200":
          description: A bearer token.
          content:
            application/json:
              schema:
                type: object
                required: [access_token, token_type, expires_in]
                properties:
                  access_token: {type: string}
                  token_type: {type: string, enum: [Bearer]}
                  expires_in: {type: integer}
        "400": {$ref: "#/components/responses/Problem"}
        "401": {$ref: "#/components/responses/Problem"}
        "429": {$ref: "#/components/responses/Problem"}
        "503": {$ref: "#/components/responses/Problem"}
  /v1/jobs:
    post:
      summary: Submit a job
      parameters:
        - name: Idempotency-Key
          in: header
          schema: {type: string, minLength: 1, maxLength: 255}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [type]
              additionalProperties: false
              properties:
                type: {type: string, example: demo.csv}
                parameters: {type: object, additionalProperties: true}
      responses:
        "202":
          description: Accepted and durable; poll the status URL.
          headers:
            Location: {schema: {type: string, format: uri}}
            Retry-After: {schema: {type: integer}}
          content:
            application/json:
              schema:
                type: object
                required: [jobId, statusUrl, status]
                properties:
                  jobId: {type: string}
                  statusUrl: {type: string, format: uri}
                  status: {$ref: "#/components/schemas/Status"}
        "400": {$ref: "#/components/responses/Problem"}
        "401": {$ref: "#/components/responses/Problem"}
        "429": {$ref: "#/components/responses/Problem"}
        "503": {$ref: "#/components/responses/Problem"}
        "406": {$ref: "#/components/responses/Problem"}
        "409": {$ref: "#/components/responses/Problem"}
        "413": {$ref: "#/components/responses/Problem"}
        "415": {$ref: "#/components/responses/Problem"}
        "422": {$ref: "#/components/responses/Problem"}
    get:
      summary: List this tenant's jobs, newest first
      parameters:
        - {name: status, in: query, schema: {type: string}, description: "processing, completed, failed or cancelled (comma-separated)"}
        - {name: type, in: query, schema: {type: string}}
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 200, default: 50}}
        - {name: cursor, in: query, schema: {type: string}}
      responses:
        "200":
          description: One page of jobs.
          content:
            application/json:
              schema:
                type: object
                required: [jobs]
                properties:
                  jobs: {type: array, items: {$ref: "#/components/schemas/Job"}}
                  nextCursor: {type: string}
        "400": {$ref: "#/components/responses/Problem"}
        "401": {$ref: "#/components/responses/Problem"}
        "429": {$ref: "#/components/responses/Problem"}
        "503": {$ref: "#/components/responses/Problem"}
  /v1/jobs/{id}/status:
    get:
      summary: GET Async Status
      parameters: [{$ref: "#/components/parameters/JobID"}]
      responses:
        "200":
          description: The job's status; `resultUrl` and `resultUrlExpiresInSeconds` only when completed.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/AsyncStatus"}
            application/vnd.sciquest.com.ees+json:
              schema: {$ref: "#/components/schemas/AsyncStatus"}
        "401": {$ref: "#/components/responses/Problem"}
        "429": {$ref: "#/components/responses/Problem"}
        "503": {$ref: "#/components/responses/Problem"}
        "404": {$ref: "#/components/responses/Problem"}
        "406": {$ref: "#/components/responses/Problem"}
  /v1/jobs/{id}:
    get:
      summary: The whole job
      parameters: [{$ref: "#/components/parameters/JobID"}]
      responses:
        "200":
          description: The job.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Job"}
        "401": {$ref: "#/components/responses/Problem"}
        "429": {$ref: "#/components/responses/Problem"}
        "503": {$ref: "#/components/responses/Problem"}
        "404": {$ref: "#/components/responses/Problem"}
    delete:
      summary: Forget a finished job and delete its result
      parameters: [{$ref: "#/components/parameters/JobID"}]
      responses:
        "204": {description: Deleted.}
        "401": {$ref: "#/components/responses/Problem"}
        "429": {$ref: "#/components/responses/Problem"}
        "503": {$ref: "#/components/responses/Problem"}
        "404": {$ref: "#/components/responses/Problem"}
        "409": {$ref: "#/components/responses/Problem"}
  /v1/jobs/{id}/cancel:
    post:
      summary: Cancel a job (idempotent)
      parameters: [{$ref: "#/components/parameters/JobID"}]
      responses:
        "200":
          description: The cancelled job.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Job"}
        "401": {$ref: "#/components/responses/Problem"}
        "429": {$ref: "#/components/responses/Problem"}
        "503": {$ref: "#/components/responses/Problem"}
        "404": {$ref: "#/components/responses/Problem"}
        "409": {$ref: "#/components/responses/Problem"}
  /v1/job-types:
    get:
      summary: The job types this server accepts, each with a JSON Schema of its parameters
      responses:
        "200":
          description: The job types, sorted by name.
          content:
            application/json:
              schema:
                type: object
                required: [jobTypes]
                properties:
                  jobTypes: {type: array, items: {$ref: "#/components/schemas/JobType"}}
        "401": {$ref: "#/components/responses/Problem"}
        "503": {$ref: "#/components/responses/Problem"}
  /v1/results/{key}:
    get:
      summary: Pre-signed download (AWS SigV4 query authentication; no other credentials)
      security: []
      parameters:
        - {name: key, in: path, required: true, schema: {type: string}}
        - {name: X-Amz-Algorithm, in: query, required: true, schema: {type: string, enum: [AWS4-HMAC-SHA256]}}
        - {name: X-Amz-Credential, in: query, required: true, schema: {type: string}}
        - {name: X-Amz-Date, in: query, required: true, schema: {type: string}}
        - {name: X-Amz-Expires, in: query, required: true, schema: {type: integer, minimum: 1, maximum: 604800}}
        - {name: X-Amz-SignedHeaders, in: query, required: true, schema: {type: string}}
        - {name: X-Amz-Signature, in: query, required: true, schema: {type: string}}
        - {name: Range, in: header, schema: {type: string}}
      responses:
        "200": {description: The file., content: {application/octet-stream: {schema: {type: string, format: binary}}}}
        "206": {description: The requested byte range., content: {application/octet-stream: {schema: {type: string, format: binary}}}}
        "400": {description: "Missing, repeated or malformed signing parameters (S3-style XML: AuthorizationQueryParametersError).", content: {application/xml: {schema: {type: string}}}}
        "403": {description: "Expired or tampered link (S3-style XML: AccessDenied, SignatureDoesNotMatch).", content: {application/xml: {schema: {type: string}}}}
        "404": {description: "The result was deleted (S3-style XML: NoSuchKey).", content: {application/xml: {schema: {type: string}}}}
        "416": {description: The range starts beyond the end of the file.}
        "503": {$ref: "#/components/responses/Problem"}
  /healthz:
    get:
      summary: Liveness
      security: []
      responses:
        "200": {description: The server and its store answer.}
        "503": {$ref: "#/components/responses/Problem"}
  /openapi.yaml:
    get:
      summary: This document
      security: []
      responses:
        "200": {description: The OpenAPI document., content: {application/yaml: {schema: {type: string}}}}
components:
  securitySchemes:
    apiKey: {type: apiKey, in: header, name: X-API-Key}
    bearer: {type: http, scheme: bearer}
  parameters:
    JobID:
      name: id
      in: path
      required: true
      schema: {type: string}
  responses:
    Problem:
      description: An RFC 9457 problem.
      content:
        application/problem+json:
          schema: {$ref: "#/components/schemas/Problem"}
  schemas:
    Status:
      type: string
      enum: [processing, completed, failed, cancelled]
    AsyncStatus:
      type: object
      required: [status]
      properties:
        status: {$ref: "#/components/schemas/Status"}
        resultUrl: {type: string, format: uri}
        resultUrlExpiresInSeconds: {type: integer}
        jobId: {type: string}
        percentCompleted: {type: number, minimum: 0, maximum: 100}
        estRemainingDuration: {type: number, minimum: 0}
        error: {$ref: "#/components/schemas/Error"}
        resultExpiredAt:
          type: string
          format: date-time
          description: When the result was deleted after the result retention period; the status is still `completed`, `resultUrl` is absent and `error.code` is `result_expired`.
    Error:
      type: object
      required: [code, message]
      properties:
        code: {type: string}
        message: {type: string}
    Job:
      type: object
      required: [jobId, type, status, state, parameters, attempt, maxAttempts, percentCompleted, createdAt, updatedAt, itemErrors, statusUrl]
      properties:
        jobId: {type: string}
        type: {type: string}
        status: {$ref: "#/components/schemas/Status"}
        state: {type: string, enum: [queued, running, succeeded, failed, cancelled]}
        parameters: {type: object, additionalProperties: true}
        attempt: {type: integer}
        maxAttempts: {type: integer}
        percentCompleted: {type: number}
        estRemainingDuration: {type: number}
        createdAt: {type: string, format: date-time}
        updatedAt: {type: string, format: date-time}
        startedAt: {type: string, format: date-time}
        finishedAt: {type: string, format: date-time}
        retryAt: {type: string, format: date-time}
        error: {$ref: "#/components/schemas/Error"}
        itemErrors: {type: integer}
        idempotencyKey: {type: string}
        statusUrl: {type: string, format: uri}
        result:
          type: object
          properties:
            size: {type: integer}
            sha256: {type: string}
            contentType: {type: string}
            fileName: {type: string}
            expiredAt: {type: string, format: date-time, description: When the result was deleted after the result retention period.}
    JobType:
      type: object
      required: [type, maxAttempts, timeoutSeconds, parameters]
      properties:
        type: {type: string}
        summary: {type: string}
        maxAttempts: {type: integer, minimum: 1}
        timeoutSeconds: {type: integer}
        concurrencyLimit: {type: integer, minimum: 1, description: "Jobs of this type run at once per node; absent when only the pool's limit applies."}
        parameters: {type: object, additionalProperties: true, description: "A JSON Schema (draft 2020-12 subset) of the submission's parameters object."}
    Problem:
      type: object
      required: [type, title, status, detail]
      properties:
        type: {type: string}
        title: {type: string}
        status: {type: integer}
        detail: {type: string}
        instance: {type: string}
        jobId: {type: string}
        jobStatus: {type: string}
        field: {type: string}
        error: {type: string}
        error_description: {type: string}
"""#
}
