-- A Wireshark dissector for tunlab's unencrypted wire formats: each UDP
-- datagram on port 1234 carries one IP packet, plainly ("plaintext") or
-- behind the TUN device's 4-byte packet-info header ("pi": flags, then the
-- EtherType).  Wireshark then shows the inner packet as a layer of its own.
--
--   wireshark -X lua_script:scripts/tunlab.lua captures/plaintext-ping.pcap
--   tshark -X lua_script:scripts/tunlab.lua -r captures/pi-ping.pcap -V

local tunlab = Proto("tunlab", "tunlab tunnel")

local f_mode = ProtoField.string("tunlab.mode", "Wire mode")
local f_pi_flags = ProtoField.uint16("tunlab.pi.flags", "PI flags", base.HEX)
local f_pi_proto = ProtoField.uint16("tunlab.pi.proto", "PI protocol", base.HEX,
	{ [0x0800] = "IPv4", [0x86dd] = "IPv6" })
local f_inner_len = ProtoField.uint32("tunlab.inner_length", "Inner packet length")
tunlab.fields = { f_mode, f_pi_flags, f_pi_proto, f_inner_len }

local ipv4 = Dissector.get("ip")
local ipv6 = Dissector.get("ipv6")

function tunlab.dissector(buf, pinfo, tree)
	local len = buf:len()
	local off = 0
	local mode = "plaintext"

	if len < 1 then
		return 0
	end
	-- A PI header: zero flags, then the EtherType of the packet behind it.
	if len >= 5 and buf(0, 2):uint() == 0 then
		local proto = buf(2, 2):uint()
		if proto == 0x0800 or proto == 0x86dd then
			mode = "pi"
			off = 4
		end
	end
	local version = bit.rshift(buf(off, 1):uint(), 4)
	if version ~= 4 and version ~= 6 then
		return 0 -- not ours: some other use of the port
	end

	pinfo.cols.protocol = "tunlab"
	local t = tree:add(tunlab, buf(0, off > 0 and off or 0), "tunlab tunnel, " .. mode .. " mode")
	t:add(f_mode, mode)
	if off == 4 then
		t:add(f_pi_flags, buf(0, 2))
		t:add(f_pi_proto, buf(2, 2))
	end
	t:add(f_inner_len, len - off)
	local inner = buf(off):tvb()
	if version == 4 then
		ipv4:call(inner, pinfo, tree)
	else
		ipv6:call(inner, pinfo, tree)
	end
	return len
end

DissectorTable.get("udp.port"):add(1234, tunlab)
