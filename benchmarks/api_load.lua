-- wrk script for benchmarks/api_load.py --driver wrk: every request uploads a distinct small PDF.
-- The API key comes from the environment (DOCLOOP_BENCH_KEY); each wrk thread numbers its own uploads.
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  key = os.getenv("DOCLOOP_BENCH_KEY")
  boundary = "docloopbenchboundary"
end

function request()
  counter = counter + 1
  local pdf = "%PDF-1.4\n%bench " .. id .. "-" .. counter .. "\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
  local body = "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"doc_type\"\r\n\r\ninvoice\r\n"
    .. "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"u.pdf\"\r\n"
    .. "Content-Type: application/pdf\r\n\r\n" .. pdf .. "\r\n--" .. boundary .. "--\r\n"
  return wrk.format("POST", "/api/v1/documents", {
    ["Authorization"] = "Bearer " .. key,
    ["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
  }, body)
end
