-- Wireshark dissector for the Fizyr RPC protocol over TCP (and over any byte stream carried as TCP in a capture).
--
--   wireshark -X lua_script:tools/wireshark/fizyr-rpc.lua -o fizyr_rpc.tcp_ports:1337
--   tshark -2 -X lua_script:tools/wireshark/fizyr-rpc.lua -o fizyr_rpc.tcp_ports:1337 -r capture.pcapng
--
-- Each message on the stream: a u32 length (header + body, not counting itself), then the 12-byte header
-- (u32 type, u32 request ID, i32 service ID) and the body. Endianness is a transport setting, so it is a preference.
--
-- Requests are paired with their updates and response. Request IDs are tracked per direction: both peers may have
-- request 0 open at once, so a conversation is keyed by the TCP stream, the requester's address and port, and the
-- request ID. An ID becomes free again at its response, so a later request with the same ID starts a new conversation.
-- The pairing is computed on the first pass; tshark needs -2 (two passes) to show response_in on requests.

local proto = Proto("fizyr_rpc", "Fizyr RPC")

local HEADER_SIZE = 12
local LENGTH_SIZE = 4

local REQUEST, RESPONSE, REQUESTER_UPDATE, RESPONDER_UPDATE, STREAM = 0, 1, 2, 3, 4
local ERROR_SERVICE_ID = -1

local type_names = {
    [REQUEST] = "Request",
    [RESPONSE] = "Response",
    [REQUESTER_UPDATE] = "Requester update",
    [RESPONDER_UPDATE] = "Responder update",
    [STREAM] = "Stream",
}

local fields = {
    length = ProtoField.uint32("fizyr_rpc.length", "Length", base.DEC, nil, nil,
        "Bytes of header and body that follow the length field"),
    type = ProtoField.uint32("fizyr_rpc.type", "Message type", base.DEC, type_names),
    request_id = ProtoField.uint32("fizyr_rpc.request_id", "Request ID", base.DEC, nil, nil,
        "Chosen by the side that sent the request; unused (0) on stream messages"),
    service_id = ProtoField.int32("fizyr_rpc.service_id", "Service ID", base.DEC, nil, nil,
        "Request: the service; response: -1 is an error; update: the update kind; stream: the stream kind"),
    body = ProtoField.bytes("fizyr_rpc.body", "Body"),
    error = ProtoField.string("fizyr_rpc.error", "Error message", base.UNICODE, "The UTF-8 body of an error response"),
    response_in = ProtoField.framenum("fizyr_rpc.response_in", "Response in", base.NONE, frametype.RESPONSE,
        nil, "The frame that holds the response to this request"),
    request_in = ProtoField.framenum("fizyr_rpc.request_in", "Request in", base.NONE, frametype.REQUEST,
        nil, "The frame that holds the request this message belongs to"),
    time = ProtoField.relative_time("fizyr_rpc.time", "Time since request", "Time from the request to its response"),
}
proto.fields = {
    fields.length, fields.type, fields.request_id, fields.service_id, fields.body, fields.error,
    fields.response_in, fields.request_in, fields.time,
}

local experts = {
    short_length = ProtoExpert.new("fizyr_rpc.short_length", "Length below the 12-byte header",
        expert.group.MALFORMED, expert.severity.ERROR),
    unknown_type = ProtoExpert.new("fizyr_rpc.unknown_type", "Unknown message type",
        expert.group.MALFORMED, expert.severity.ERROR),
    duplicate_request = ProtoExpert.new("fizyr_rpc.duplicate_request", "Request ID already open in this direction",
        expert.group.SEQUENCE, expert.severity.WARN),
    unknown_request = ProtoExpert.new("fizyr_rpc.unknown_request", "No open request with this ID in this direction",
        expert.group.SEQUENCE, expert.severity.WARN),
    error_response = ProtoExpert.new("fizyr_rpc.error_response", "Error response",
        expert.group.RESPONSE_CODE, expert.severity.NOTE),
}
proto.experts = {
    experts.short_length, experts.unknown_type, experts.duplicate_request, experts.unknown_request,
    experts.error_response,
}

local LITTLE, BIG = 1, 2
proto.prefs.tcp_ports = Pref.range("TCP ports", "",
    "TCP ports that carry Fizyr RPC, e.g. 1337 or 7000-7010,7100", 65535)
proto.prefs.endianness = Pref.enum("Endianness", LITTLE,
    "Byte order of the length prefix and the header (little on TCP by default)",
    { { 1, "little", LITTLE }, { 2, "big", BIG } }, true)

local tcp_stream_field = Field.new("tcp.stream")
local frame_time_field = Field.new("frame.time")

-- First-pass state. `open` maps a conversation key to the record of its open request; `pdus` maps each message
-- (frame number and offset) to what the first pass learned about it, so later passes show the same pairing.
local open = {}
local pdus = {}

function proto.init()
    open = {}
    pdus = {}
end

local function big_endian()
    return proto.prefs.endianness == BIG
end

local function read_u32(range)
    if big_endian() then return range:uint() end
    return range:le_uint()
end

local function read_i32(range)
    if big_endian() then return range:int() end
    return range:le_int()
end

local function add_field(tree, field, range)
    if big_endian() then return tree:add(field, range) end
    return tree:add_le(field, range)
end

local function message_length(tvb, pinfo, offset)
    return LENGTH_SIZE + read_u32(tvb(offset, LENGTH_SIZE))
end

-- The requester's side of the connection: requests and requester updates are sent by it, the rest towards it.
local function conversation_key(pinfo, message_type, request_id)
    local stream = tcp_stream_field()
    local stream_id = stream and tostring(stream.value) or "?"
    local requester
    if message_type == REQUEST or message_type == REQUESTER_UPDATE then
        requester = tostring(pinfo.src) .. ":" .. tostring(pinfo.src_port)
    else
        requester = tostring(pinfo.dst) .. ":" .. tostring(pinfo.dst_port)
    end
    return stream_id .. "|" .. requester .. "|" .. tostring(request_id)
end

-- Pairs a message with its request on the first pass; returns what is known about the message.
local function track(pinfo, message_type, request_id)
    local key = conversation_key(pinfo, message_type, request_id)
    local record = open[key]
    if message_type == REQUEST then
        if record ~= nil then
            -- The receiver drops a request whose ID is still open: what follows belongs to the first one.
            return { duplicate = true }
        end
        record = { request = pinfo.number, request_time = frame_time_field().value }
        open[key] = record
        return { record = record }
    end
    if record == nil then
        return { unknown = true }
    end
    if message_type == RESPONSE then
        record.response = pinfo.number
        record.response_time = frame_time_field().value
        open[key] = nil
    end
    return { record = record }
end

local function describe(message_type, request_id, service_id, body)
    if message_type == STREAM then
        return "Stream service " .. service_id
    end
    if message_type == RESPONSE and service_id == ERROR_SERVICE_ID then
        if body == "" then
            return "Error response " .. request_id
        end
        return "Error response " .. request_id .. ": " .. body
    end
    local name = type_names[message_type]
    if name == nil then
        return "Unknown message type " .. message_type
    end
    return name .. " " .. request_id .. " service " .. service_id
end

local function set_info(pinfo, text)
    -- The first message of this frame replaces TCP's columns; the next ones are appended.
    if tostring(pinfo.cols.protocol) ~= "Fizyr RPC" then
        pinfo.cols.protocol:set("Fizyr RPC")
        pinfo.cols.info:set(text)
    else
        pinfo.cols.info:append("; " .. text)
    end
end

local function dissect_message(tvb, pinfo, tree)
    local total = tvb:reported_length_remaining()
    local subtree = tree:add(proto, tvb())
    local length = read_u32(tvb(0, LENGTH_SIZE))
    add_field(subtree, fields.length, tvb(0, LENGTH_SIZE))
    if length < HEADER_SIZE then
        subtree:add_proto_expert_info(experts.short_length,
            "Length " .. length .. " is below the 12-byte header: the stream cannot be read further")
        set_info(pinfo, "Malformed length " .. length)
        return total
    end

    local message_type = read_u32(tvb(4, 4))
    local request_id = read_u32(tvb(8, 4))
    local service_id = read_i32(tvb(12, 4))
    local body_length = length - HEADER_SIZE
    local type_item = add_field(subtree, fields.type, tvb(4, 4))
    add_field(subtree, fields.request_id, tvb(8, 4))
    add_field(subtree, fields.service_id, tvb(12, 4))
    if body_length > 0 then
        subtree:add(fields.body, tvb(LENGTH_SIZE + HEADER_SIZE, body_length))
    end

    local error_text = ""
    if message_type == RESPONSE and service_id == ERROR_SERVICE_ID then
        if body_length > 0 then
            error_text = tvb(LENGTH_SIZE + HEADER_SIZE, body_length):string(ENC_UTF_8)
        end
        subtree:add(fields.error, tvb(LENGTH_SIZE + HEADER_SIZE, body_length), error_text)
        subtree:add_proto_expert_info(experts.error_response, "Error response: " .. error_text)
    end

    local text = describe(message_type, request_id, service_id, error_text)
    subtree:append_text(", " .. text)
    set_info(pinfo, text)

    if type_names[message_type] == nil then
        type_item:add_proto_expert_info(experts.unknown_type,
            "Message type " .. message_type .. " is not 0 to 4: peers close the connection on it")
        return total
    end
    if message_type == STREAM then
        return total
    end

    local pdu_key = pinfo.number .. ":" .. tvb:offset()
    local known = pdus[pdu_key]
    if known == nil then
        known = track(pinfo, message_type, request_id)
        pdus[pdu_key] = known
    end

    if known.duplicate then
        subtree:add_proto_expert_info(experts.duplicate_request,
            "Request " .. request_id .. " is still open in this direction: a duplicate request ID")
        return total
    end
    if known.unknown then
        subtree:add_proto_expert_info(experts.unknown_request,
            "No request " .. request_id .. " is open in this direction")
        return total
    end

    local record = known.record
    if message_type ~= REQUEST then
        subtree:add(fields.request_in, record.request):set_generated()
    end
    if message_type == RESPONSE then
        subtree:add(fields.time, record.response_time - record.request_time):set_generated()
    elseif record.response ~= nil then
        subtree:add(fields.response_in, record.response):set_generated()
    end
    return total
end

function proto.dissector(tvb, pinfo, tree)
    dissect_tcp_pdus(tvb, tree, LENGTH_SIZE, message_length, dissect_message, true)
    return tvb:len()
end

local tcp_ports = DissectorTable.get("tcp.port")
tcp_ports:add_for_decode_as(proto)

local function register_ports()
    tcp_ports:remove_all(proto)
    local ports = tostring(proto.prefs.tcp_ports)
    if ports ~= "" then
        tcp_ports:add(ports, proto)
    end
end

function proto.prefs_changed()
    register_ports()
end

register_ports()
