-- POST /message/callback (and the write ceiling): C2C.CallbackAfterSendMsg bodies with distinct MsgKeys,
-- each key sent twice (requests 2n and 2n+1 of a thread carry key n), as the IM provider retries.
-- Arguments after `--`: a run tag (prefix of every MsgKey) and the conversation id (CloudCustomData).
-- Counts answers that acknowledge (HTTP 200 with ActionStatus OK) per thread.

dofile("bench/lua/report.lua")
-- SIGNS[second] = Sign for RequestTime second (written by bench/run.py; absent for the ceiling run).
local signs_file = io.open("bench/work/signs.lua")
if signs_file then
  signs_file:close()
  dofile("bench/work/signs.lua")
end

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  tag = args[1] or "run"
  conversation = args[2] or ""
  generated = 0
  acked = 0
  refused = 0
end

function request()
  local key_number = math.floor(generated / 2)
  generated = generated + 1
  local now = os.time()
  local key = string.format("%s-%d-%d", tag, tid, key_number)
  local body = string.format(
    '{"CallbackCommand":"C2C.CallbackAfterSendMsg","From_Account":"bench_visitor","To_Account":"bench_co",'
      .. '"MsgSeq":%d,"MsgRandom":%d,"MsgTime":%d,"MsgKey":"%s","OnlineOnlyFlag":0,"SendMsgResult":0,'
      .. '"ErrorInfo":"send msg succeed","UnreadMsgNum":0,'
      .. '"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"压测消息 %d"}}],"CloudCustomData":"%s"}',
    key_number, tid, now, key, key_number, conversation)
  local path = nil
  if SIGNS then
    -- The second delivery of a key carries its own RequestTime (one second earlier), as a redelivery does.
    local at = now - (generated % 2 == 0 and 1 or 0)
    path = string.format("%s&RequestTime=%d&Sign=%s", wrk.path, at, SIGNS[at])
  end
  return wrk.format("POST", path, {["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  if status == 200 and string.find(body, '"OK"', 1, true) then
    acked = acked + 1
  else
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local generated_total, acked_total, refused_total, keys = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    local sent = thread:get("generated")
    generated_total = generated_total + sent
    acked_total = acked_total + thread:get("acked")
    refused_total = refused_total + thread:get("refused")
    keys = keys + math.ceil(sent / 2)
  end
  bench_report(summary, latency, {
    generated = generated_total, acknowledged = acked_total, refused = refused_total, keys = keys,
  })
end
