"""SignerV4 verification: the contract's two test vectors and every refusal path."""

from datetime import UTC, datetime, timedelta

import pytest

from api_bridge.contracts.volcengine import signer
from api_bridge.contracts.volcengine.errors import GatewayError

AK, SK = "AKLTEXAMPLEACCESSKEY", "EXAMPLESECRETKEY"
X_DATE = "20250101T120000Z"
NOW = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
BODY = b'{"req_key": "i2i_inpainting", "binary_data_base64": ["aW1hZ2U=", "bWFzaw=="], "return_url": false}'
BODY_SHA = "b8612137d6e7c8cb2515243cea4b2dd0e99014a9d2494a2ab8e2647b13316bfe"
SIGNED = ["content-type", "host", "x-content-sha256", "x-date"]
SIG_A = "093b5b3ea0381e7139352bbfcf98e8498a552cc30eef89c2e24d0f9547c39775"
SIG_B = "fe255fefb9be792852bb3742faa864b92255b40ea7e02b7c5a5d4e7e8455017a"


def headers(host: str, sig: str, **over) -> dict:
    h = {
        "Host": host,
        "Content-Type": "application/json",
        "X-Date": X_DATE,
        "X-Content-Sha256": BODY_SHA,
        "User-Agent": "volc-sdk-python/v1.0.229",
        "Authorization": f"HMAC-SHA256 Credential={AK}/20250101/cn-north-1/cv/request, "
        f"SignedHeaders=content-type;host;x-content-sha256;x-date, Signature={sig}",
    }
    h.update(over)
    return {k: v for k, v in h.items() if v is not None}


def verify(host="visual.volcengineapi.com", action="CVProcess", sig=SIG_A, body=BODY, now=NOW, creds=None, **over):
    return signer.verify_request(
        method="POST",
        path="/",
        query={"Action": action, "Version": "2022-08-31"},
        headers=headers(host, sig, **over),
        body=body,
        credentials=creds if creds is not None else {AK: SK},
        now=now,
    )


def test_body_hash_and_signing_key_match_the_contract():
    assert len(BODY) == 98
    assert signer.sha256_hex(BODY) == BODY_SHA
    assert signer.signing_key(SK, "20250101").hex() == (
        "33b83916a455cd5a5d7088e16f6424c8fd53be4c9d3a8688c0d549590d01b49a"
    )


def test_vector_a_canonical_request_and_signature():
    canonical = signer.canonical_request(
        "POST",
        "/",
        {"Version": "2022-08-31", "Action": "CVProcess"},
        headers("visual.volcengineapi.com", SIG_A),
        SIGNED,
        BODY_SHA,
    )
    assert canonical == (
        "POST\n/\nAction=CVProcess&Version=2022-08-31\ncontent-type:application/json\n"
        "host:visual.volcengineapi.com\nx-content-sha256:" + BODY_SHA + "\nx-date:20250101T120000Z\n\n"
        "content-type;host;x-content-sha256;x-date\n" + BODY_SHA
    )
    assert signer.sha256_hex(canonical.encode()) == "2189d247b5945d98f802dba440368f848921e30d67aa4e652321e3da92317f33"
    assert signer.string_to_sign(X_DATE, canonical) == (
        "HMAC-SHA256\n20250101T120000Z\n20250101/cn-north-1/cv/request\n"
        "2189d247b5945d98f802dba440368f848921e30d67aa4e652321e3da92317f33"
    )
    assert signer.signature(SK, X_DATE, canonical) == SIG_A
    assert verify() == AK


def test_vector_b_keeps_the_non_default_port():
    canonical = signer.canonical_request(
        "POST",
        "/",
        {"Action": "Img2ImgInpainting", "Version": "2022-08-31"},
        headers("127.0.0.1:9000", SIG_B),
        SIGNED,
        BODY_SHA,
    )
    assert signer.sha256_hex(canonical.encode()) == "df4b93e4de8be9f5d8c4bc1439d3ae306832e68ad33ec9b03ef0885141336e13"
    assert signer.signature(SK, X_DATE, canonical) == SIG_B
    assert verify(host="127.0.0.1:9000", action="Img2ImgInpainting", sig=SIG_B) == AK


def test_default_ports_are_dropped_from_the_signed_host():
    assert verify(host="visual.volcengineapi.com:80") == AK
    assert verify(host="visual.volcengineapi.com:443") == AK


def test_uppercase_signature_hex_is_accepted():
    assert verify(sig=SIG_A.upper()) == AK


def test_query_encoding_sorts_and_escapes():
    assert signer.canonical_query({"b": "x y", "a": "1/2+3", "c": "~-_."}) == "a=1%2F2%2B3&b=x%20y&c=~-_."


def expect(code: str, **kwargs) -> GatewayError:
    with pytest.raises(GatewayError) as info:
        verify(**kwargs)
    assert info.value.code == code, info.value
    return info.value


def test_one_changed_body_byte_fails_even_with_a_matching_hash_header():
    # Re-serialised JSON (compact separators) is the same document but not the same bytes.
    compact = b'{"req_key":"i2i_inpainting","binary_data_base64":["aW1hZ2U=","bWFzaw=="],"return_url":false}'
    err = expect("SignatureDoesNotMatch", body=compact, **{"X-Content-Sha256": signer.sha256_hex(compact)})
    assert err.http_status == 401 and err.code_n == 100010
    expect("SignatureDoesNotMatch", body=compact)  # declared hash no longer matches the bytes


def test_wrong_secret_wrong_host_wrong_action_fail():
    expect("SignatureDoesNotMatch", creds={AK: "OTHER"})
    expect("SignatureDoesNotMatch", host="127.0.0.1:9001")
    expect("SignatureDoesNotMatch", action="Img2ImgInpainting")


def test_unknown_access_key():
    err = expect("InvalidAccessKey", creds={"AKLTOTHER": SK})
    assert err.http_status == 401 and err.code_n == 100009


def test_missing_authorization_and_malformed_signature():
    err = expect("MissingAuthenticationToken", Authorization=None)
    assert err.http_status == 401
    expect("MissingSignature", Authorization="Bearer abc")
    expect(
        "MissingRequestInfo",
        Authorization=f"HMAC-SHA256 Credential={AK}/20250101/cn-north-1, "
        f"SignedHeaders=content-type;host;x-content-sha256;x-date, Signature={SIG_A}",
    )


def test_wrong_scope_region_or_service():
    bad = (
        f"HMAC-SHA256 Credential={AK}/20250101/cn-beijing/cv/request, "
        f"SignedHeaders=content-type;host;x-content-sha256;x-date, Signature={SIG_A}"
    )
    expect("SignatureDoesNotMatch", Authorization=bad)
    bad = bad.replace("cn-beijing/cv", "cn-north-1/iam")
    expect("SignatureDoesNotMatch", Authorization=bad)


def test_signed_header_missing_from_the_request():
    err = expect("MissingRequestInfo", **{"Content-Type": None})
    assert "content-type" in err.message


def test_clock_skew_window_is_fifteen_minutes():
    assert verify(now=NOW + timedelta(minutes=14, seconds=59)) == AK
    assert verify(now=NOW - timedelta(minutes=14, seconds=59)) == AK
    err = expect("InvalidTimestamp", now=NOW + timedelta(minutes=16))
    assert err.http_status == 400 and err.code_n == 100006
    expect("InvalidTimestamp", now=NOW - timedelta(hours=3))


def test_missing_or_malformed_x_date():
    expect("InvalidTimestamp", **{"X-Date": None})
    expect("InvalidTimestamp", **{"X-Date": "2025-01-01T12:00:00Z"})


def test_gateway_body_shape():
    err = GatewayError("InvalidActionOrVersion", "Could not find operation Foo for version 2022-08-31")
    body = err.body(request_id="r1", action="Foo")
    meta = body["ResponseMetadata"]
    assert err.http_status == 404
    assert meta["Error"] == {"CodeN": 100008, "Code": "InvalidActionOrVersion", "Message": err.message}
    assert (meta["Service"], meta["Region"], meta["Action"], meta["Version"]) == (
        "cv",
        "cn-north-1",
        "Foo",
        "2022-08-31",
    )
