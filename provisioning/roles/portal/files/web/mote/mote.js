"use strict";
/*
 * The web client: a patient, a relative or staff join a booked room in the browser, send camera and
 * microphone and see and hear everyone else in the room.
 *
 * It speaks the conferencing stand-in's own HTTP API (Janus: a session, one handle per peer
 * connection, events by long polling) on the same origin's /webapp/janus, which the edge publishes,
 * so the page needs nothing but HTTPS on 443 and TURN.
 *
 * The link says what to join, in its fragment (#room=…&turn=…&username=…&credential=…&relay=1&name=…),
 * which a browser never sends to any server, so the TURN credential stays out of every access log. In
 * production Pexip's conferencing node hands its own web client the TURN servers and credentials; the
 * stand-in does not, so the link carries them.
 *
 * window.vardmoteCall tells a driver (the browser probe, vardmote/verify/browser_call.py) how the call
 * goes: its phase, the errors each with the hop that failed, TURN's candidate errors, and summary()
 * for getStats figures per peer connection.
 */
(function () {
    const API = "/webapp/janus";
    const PLUGIN = "janus.plugin.videoroom";
    const EVENTS_PER_POLL = 10;
    const ROOM_PUBLISHERS = 10;
    const ROOM_EXISTS = 427; // JANUS_VIDEOROOM_ERROR_ROOM_EXISTS: another participant made it first

    const call = {
        phase: "starting",
        room: null,
        relayOnly: false,
        errors: [],
        candidateErrors: [],
        peers: {},
        summary: summarize,
    };
    window.vardmoteCall = call;

    const statusLine = document.getElementById("status");
    const problemLine = document.getElementById("problem");
    const leaveButton = document.getElementById("leave");
    const pending = new Map();
    const handles = new Map();
    let session = null;
    let transactions = 0;
    let iceServers = [];

    class HopError extends Error {
        constructor(hop, detail) {
            super(detail);
            this.hop = hop;
        }
    }

    const PROBLEM_TEXT = {
        link: "Länken till mötet är ofullständig. Be om en ny kallelse.",
        media: "Kameran eller mikrofonen går inte att använda. Kontrollera att webbläsaren får använda dem.",
        api: "Det går inte att nå mötestjänsten. Försök igen om en stund, eller ring in per telefon.",
        ice: "Ljud och bild kommer inte fram. Ring in per telefon i stället.",
    };

    function setPhase(phase, text) {
        call.phase = phase;
        statusLine.textContent = text;
    }

    function fail(hop, detail) {
        call.errors.push({ hop: hop, detail: detail });
        if (call.phase !== "failed") {
            setPhase("failed", "Mötet kunde inte startas.");
            problemLine.textContent = PROBLEM_TEXT[hop] || PROBLEM_TEXT.api;
            problemLine.hidden = false;
        }
    }

    function readLink() {
        const link = new URLSearchParams(window.location.hash.slice(1));
        const room = link.get("room") || "";
        if (!/^[0-9]{1,15}$/.test(room)) {
            throw new HopError("link", `the link's room is not a room number: ${JSON.stringify(room)}`);
        }
        const urls = link.getAll("turn");
        for (const url of urls) {
            if (!/^turns?:/.test(url)) {
                throw new HopError("link", `the link's TURN server is not a turn: or turns: address: ${url}`);
            }
        }
        const relayOnly = link.get("relay") === "1";
        if (relayOnly && urls.length === 0) {
            throw new HopError("link", "the link asks for relayed media only but names no TURN server");
        }
        return {
            room: Number(room),
            display: link.get("name") || "Deltagare",
            relayOnly: relayOnly,
            iceServers: urls.length
                ? [{ urls: urls, username: link.get("username") || "", credential: link.get("credential") || "" }]
                : [],
        };
    }

    // --- The Janus HTTP API ---------------------------------------------------------------------

    async function post(path, body) {
        const transaction = `t${++transactions}`;
        let response;
        try {
            response = await fetch(API + path, {
                method: "POST",
                headers: { "Content-Type": "application/json" },
                body: JSON.stringify(Object.assign({ transaction: transaction }, body)),
                cache: "no-store",
            });
        } catch (error) {
            throw new HopError("api", `POST ${API}${path}: ${error.message}`);
        }
        return [transaction, await readAnswer(response, `POST ${API}${path}`)];
    }

    async function readAnswer(response, what) {
        if (!response.ok) {
            throw new HopError("api", `${what}: HTTP ${response.status}`);
        }
        let answer;
        try {
            answer = await response.json();
        } catch (error) {
            throw new HopError("api", `${what}: HTTP ${response.status} but not JSON (${error.message})`);
        }
        if (answer.janus === "error") {
            throw new HopError("api", `${what}: Janus error ${answer.error.code}: ${answer.error.reason}`);
        }
        return answer;
    }

    async function poll() {
        while (session !== null) {
            const what = `GET ${API}/${session}`;
            let events;
            try {
                let response;
                try {
                    response = await fetch(`${API}/${session}?maxev=${EVENTS_PER_POLL}&rid=${Date.now()}`, {
                        cache: "no-store",
                    });
                } catch (error) {
                    throw new HopError("api", `${what}: ${error.message}`);
                }
                events = await readAnswer(response, what);
            } catch (error) {
                if (session !== null) fail(error.hop || "api", error.message);
                return;
            }
            for (const event of Array.isArray(events) ? events : [events]) {
                dispatch(event);
            }
        }
    }

    function dispatch(event) {
        const waiting = event.transaction && pending.get(event.transaction);
        if (waiting && event.janus === "event") {
            pending.delete(event.transaction);
            waiting(event);
            return;
        }
        const handle = handles.get(event.sender);
        if (!handle) return;
        if (event.janus === "event") {
            handle.onEvent(event.plugindata ? event.plugindata.data : {}, event.jsep).catch(report);
        } else if (event.janus === "trickle" && event.candidate && !event.candidate.completed) {
            handle.pc.addIceCandidate(event.candidate).catch(() => undefined);
        } else if (event.janus === "hangup") {
            handle.close();
        }
    }

    async function attach() {
        const [, answer] = await post(`/${session}`, { janus: "attach", plugin: PLUGIN });
        return answer.data.id;
    }

    // A request to the videoroom plugin: answered at once ("success") or acknowledged and answered
    // later by an event with the same transaction, which the long poll brings.
    async function request(handle, body, jsep) {
        const transaction = `t${++transactions}`;
        const answered = new Promise((resolve) => pending.set(transaction, resolve));
        let response;
        try {
            response = await fetch(`${API}/${session}/${handle.id}`, {
                method: "POST",
                headers: { "Content-Type": "application/json" },
                body: JSON.stringify({ janus: "message", transaction: transaction, body: body, jsep: jsep }),
                cache: "no-store",
            });
        } catch (error) {
            pending.delete(transaction);
            throw new HopError("api", `POST ${API}/${session}/${handle.id}: ${error.message}`);
        }
        let answer;
        try {
            answer = await readAnswer(response, `videoroom ${body.request}`);
        } catch (error) {
            pending.delete(transaction);
            throw error;
        }
        if (jsep) handle.descriptionSent();
        let data = null;
        let remoteJsep = null;
        if (answer.janus === "success") {
            pending.delete(transaction);
            data = answer.plugindata.data;
        } else {
            const event = await answered;
            data = event.plugindata ? event.plugindata.data : {};
            remoteJsep = event.jsep || null;
        }
        if (data.error_code) {
            const failure = new HopError("api", `videoroom ${body.request}: error ${data.error_code}: ${data.error}`);
            failure.code = data.error_code;
            throw failure;
        }
        return { data: data, jsep: remoteJsep };
    }

    // --- Peer connections -------------------------------------------------------------------------

    function peerConnection(handleId, label, role) {
        const pc = new RTCPeerConnection({
            iceServers: iceServers,
            iceTransportPolicy: call.relayOnly ? "relay" : "all",
            bundlePolicy: "max-bundle",
        });
        let sent;
        const descriptionSent = new Promise((resolve) => (sent = resolve));
        const peer = { role: role, label: label, pc: pc, gathered: {}, ice: [] };
        call.peers[label] = peer;
        pc.addEventListener("icecandidate", (event) => {
            const candidate = event.candidate;
            if (candidate && candidate.candidate) {
                const key = candidate.type === "relay" ? `relay/${candidate.relayProtocol || "?"}` : candidate.type;
                peer.gathered[key] = (peer.gathered[key] || 0) + 1;
            }
            const body = candidate && candidate.candidate
                ? { candidate: candidate.candidate, sdpMid: candidate.sdpMid, sdpMLineIndex: candidate.sdpMLineIndex }
                : { completed: true };
            // Janus takes candidates once it has the description they belong to.
            descriptionSent
                .then(() => session !== null && post(`/${session}/${handleId}`, { janus: "trickle", candidate: body }))
                .catch(report);
        });
        pc.addEventListener("icecandidateerror", (event) => {
            call.candidateErrors.push({
                peer: label,
                url: event.url,
                errorCode: event.errorCode,
                errorText: event.errorText,
                address: event.address,
                port: event.port,
            });
        });
        pc.addEventListener("iceconnectionstatechange", () => {
            peer.ice.push(pc.iceConnectionState);
            if (pc.iceConnectionState === "failed") {
                fail("ice", `${label}: ICE failed (${call.relayOnly ? "relayed only" : "all candidates"})`);
            }
            updateStatus();
        });
        return { peer: peer, pc: pc, descriptionSent: sent };
    }

    function updateStatus() {
        if (call.phase === "failed") return;
        const connected = Object.values(call.peers).filter((peer) =>
            ["connected", "completed"].includes(peer.pc.iceConnectionState));
        const others = Object.values(call.peers).filter((peer) => peer.role === "subscriber").length;
        if (connected.length && call.phase !== "joined") {
            setPhase("joined", "Du är med i mötet.");
        }
        if (call.phase === "joined") {
            statusLine.textContent = others
                ? `Du är med i mötet. Deltagare utöver dig: ${others}.`
                : "Du är med i mötet. Väntar på att fler ska ansluta …";
        }
    }

    async function publish(stream, display) {
        const handle = { id: await attach(), onEvent: onPublisherEvent, close: () => undefined };
        handles.set(handle.id, handle);
        const existing = await request(handle, { request: "exists", room: call.room });
        if (!existing.data.exists) {
            // The stand-in's part of what Pexip does: the booked room exists on the platform already;
            // Janus learns of it from the first participant.
            try {
                await request(handle, {
                    request: "create",
                    room: call.room,
                    description: `Vårdmöte ${call.room}`,
                    publishers: ROOM_PUBLISHERS,
                    is_private: false,
                });
            } catch (error) {
                if (error.code !== ROOM_EXISTS) throw error;
            }
        }
        setPhase("joining", "Ansluter till mötet …");
        const joined = await request(handle, { request: "join", ptype: "publisher", room: call.room, display: display });
        call.participantId = joined.data.id;
        const { pc, descriptionSent } = peerConnection(handle.id, "publisher", "publisher");
        handle.pc = pc;
        handle.descriptionSent = descriptionSent;
        for (const track of stream.getTracks()) pc.addTrack(track, stream);
        const offer = await pc.createOffer();
        await pc.setLocalDescription(offer);
        const configured = await request(handle, { request: "configure" }, {
            type: offer.type,
            sdp: offer.sdp,
        });
        await pc.setRemoteDescription(configured.jsep);
        subscribeAll(joined.data.publishers);
    }

    async function onPublisherEvent(data) {
        if (data.publishers) subscribeAll(data.publishers);
        const gone = data.leaving || data.unpublished;
        if (gone && gone !== "ok") {
            const label = `feed-${gone}`;
            const handle = [...handles.values()].find((candidate) => candidate.label === label);
            if (handle) handle.close();
        }
    }

    function subscribeAll(publishers) {
        for (const publisher of publishers || []) {
            const label = `feed-${publisher.id}`;
            if (publisher.id === call.participantId || call.peers[label]) continue;
            subscribe(publisher, label).catch(report);
        }
    }

    async function subscribe(publisher, label) {
        const handle = { id: await attach(), label: label, onEvent: async () => undefined };
        handles.set(handle.id, handle);
        const { peer, pc, descriptionSent } = peerConnection(handle.id, label, "subscriber");
        peer.feed = publisher.id;
        peer.display = publisher.display || "";
        handle.pc = pc;
        handle.descriptionSent = descriptionSent;
        const video = document.createElement("video");
        video.autoplay = true;
        video.playsInline = true;
        video.title = peer.display;
        document.getElementById("others").append(video);
        const remote = new MediaStream();
        video.srcObject = remote;
        pc.addEventListener("track", (event) => remote.addTrack(event.track));
        handle.close = () => {
            pc.close();
            video.remove();
            handles.delete(handle.id);
            delete call.peers[label];
            updateStatus();
        };
        const attached = await request(handle, {
            request: "join",
            ptype: "subscriber",
            room: call.room,
            streams: [{ feed: publisher.id }],
        });
        await pc.setRemoteDescription(attached.jsep);
        const answer = await pc.createAnswer();
        await pc.setLocalDescription(answer);
        await request(handle, { request: "start" }, { type: answer.type, sdp: answer.sdp });
        updateStatus();
    }

    // --- What a driver reads ----------------------------------------------------------------------

    async function summarize() {
        const peers = [];
        for (const peer of Object.values(call.peers)) {
            const report = await peer.pc.getStats();
            const figures = {
                label: peer.label,
                role: peer.role,
                feed: peer.feed || null,
                display: peer.display || null,
                ice: peer.pc.iceConnectionState,
                gathering: peer.pc.iceGatheringState,
                iceHistory: peer.ice.slice(),
                gathered: Object.assign({}, peer.gathered),
                bytesReceived: { audio: 0, video: 0 },
                bytesSent: { audio: 0, video: 0 },
                local: null,
                remote: null,
            };
            let pairId = null;
            report.forEach((entry) => {
                const kind = entry.kind || entry.mediaType;
                if (entry.type === "inbound-rtp" && kind in figures.bytesReceived) {
                    figures.bytesReceived[kind] += entry.bytesReceived || 0;
                } else if (entry.type === "outbound-rtp" && kind in figures.bytesSent) {
                    figures.bytesSent[kind] += entry.bytesSent || 0;
                } else if (entry.type === "transport" && entry.selectedCandidatePairId) {
                    pairId = entry.selectedCandidatePairId;
                }
            });
            const pair = pairId && report.get(pairId);
            if (pair) {
                const local = report.get(pair.localCandidateId) || {};
                const remote = report.get(pair.remoteCandidateId) || {};
                figures.local = {
                    candidateType: local.candidateType || null,
                    protocol: local.protocol || null,
                    relayProtocol: local.relayProtocol || null,
                    url: local.url || null,
                };
                figures.remote = { candidateType: remote.candidateType || null, protocol: remote.protocol || null };
            }
            peers.push(figures);
        }
        return {
            phase: call.phase,
            room: call.room,
            relayOnly: call.relayOnly,
            errors: call.errors.slice(),
            candidateErrors: call.candidateErrors.slice(),
            peers: peers,
        };
    }

    // --- The call ---------------------------------------------------------------------------------

    function report(error) {
        fail(error.hop || "api", error.message || String(error));
    }

    async function leave() {
        const ending = session;
        session = null;
        for (const handle of [...handles.values()]) {
            if (handle.pc) handle.pc.close();
        }
        setPhase("left", "Du har lämnat mötet.");
        leaveButton.disabled = true;
        if (ending !== null) {
            await fetch(`${API}/${ending}`, {
                method: "POST",
                headers: { "Content-Type": "application/json" },
                body: JSON.stringify({ janus: "destroy", transaction: "leave" }),
                keepalive: true,
            }).catch(() => undefined);
        }
    }

    async function start() {
        const link = readLink();
        call.room = link.room;
        call.relayOnly = link.relayOnly;
        iceServers = link.iceServers;
        setPhase("media", "Startar kamera och mikrofon …");
        let stream;
        try {
            stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
        } catch (error) {
            throw new HopError("media", `camera and microphone: ${error.name}: ${error.message}`);
        }
        document.getElementById("self").srcObject = stream;
        setPhase("connecting", "Kontaktar mötestjänsten …");
        const [, created] = await post("", { janus: "create" });
        session = created.data.id;
        poll();
        leaveButton.disabled = false;
        await publish(stream, link.display);
        updateStatus();
    }

    leaveButton.addEventListener("click", leave);
    window.addEventListener("pagehide", leave);
    start().catch(report);
})();
