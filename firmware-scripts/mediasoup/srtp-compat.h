/*
 * Branchline: libsrtp3's API on top of Debian's libsrtp2.
 *
 * mediasoup 3.19 is written against libsrtp 3 (out-of-place protect/unprotect
 * with size_t lengths, srtp_stream_remove, two new error codes). Debian ships
 * libsrtp 2.5. build-mediasoup-worker.sh copies this file to
 * worker/compat/srtp.h, which the patched meson.build puts first on the
 * include path, so mediasoup's `#include <srtp.h>` lands here. No mediasoup
 * source file is changed.
 */
#ifndef BRANCHLINE_SRTP_COMPAT_H
#define BRANCHLINE_SRTP_COMPAT_H

#include <srtp2/srtp.h>

#ifdef __cplusplus
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>

/* Error codes that libsrtp3 added after srtp_err_status_pkt_idx_adv (27). */
#define srtp_err_status_buffer_small static_cast<srtp_err_status_t>(28)
#define srtp_err_status_cryptex_err static_cast<srtp_err_status_t>(29)

namespace branchline_srtp_compat
{
	using InPlace = srtp_err_status_t (*)(srtp_t, void*, int*);

	/* Copies `in` to `out` (when they differ) and runs the in-place libsrtp2
	 * call there. `*outLen` is the capacity of `out` on entry and the result
	 * length on return. `grows` is how many bytes the call may append. */
	inline srtp_err_status_t Run(
	  InPlace fn,
	  srtp_t ctx,
	  const uint8_t* in,
	  size_t inLen,
	  uint8_t* out,
	  size_t* outLen,
	  size_t grows)
	{
		if (inLen > static_cast<size_t>(INT_MAX) - grows)
			return srtp_err_status_bad_param;
		if (*outLen < inLen + grows)
			return srtp_err_status_buffer_small;
		if (out != in)
			std::memmove(out, in, inLen);

		int len                       = static_cast<int>(inLen);
		const srtp_err_status_t err = fn(ctx, out, &len);

		if (err == srtp_err_status_ok)
			*outLen = static_cast<size_t>(len);

		return err;
	}
} // namespace branchline_srtp_compat

inline srtp_err_status_t srtp_protect(
  srtp_t ctx, const uint8_t* rtp, size_t rtpLen, uint8_t* srtp, size_t* srtpLen, size_t mkiIndex)
{
	if (mkiIndex != 0)
		return srtp_err_status_bad_mki;

	return branchline_srtp_compat::Run(
	  ::srtp_protect, ctx, rtp, rtpLen, srtp, srtpLen, SRTP_MAX_TRAILER_LEN);
}

inline srtp_err_status_t srtp_unprotect(
  srtp_t ctx, const uint8_t* srtp, size_t srtpLen, uint8_t* rtp, size_t* rtpLen)
{
	return branchline_srtp_compat::Run(::srtp_unprotect, ctx, srtp, srtpLen, rtp, rtpLen, 0);
}

inline srtp_err_status_t srtp_protect_rtcp(
  srtp_t ctx, const uint8_t* rtcp, size_t rtcpLen, uint8_t* srtcp, size_t* srtcpLen, size_t mkiIndex)
{
	if (mkiIndex != 0)
		return srtp_err_status_bad_mki;

	return branchline_srtp_compat::Run(
	  ::srtp_protect_rtcp, ctx, rtcp, rtcpLen, srtcp, srtcpLen, SRTP_MAX_TRAILER_LEN + 4);
}

inline srtp_err_status_t srtp_unprotect_rtcp(
  srtp_t ctx, const uint8_t* srtcp, size_t srtcpLen, uint8_t* rtcp, size_t* rtcpLen)
{
	return branchline_srtp_compat::Run(
	  ::srtp_unprotect_rtcp, ctx, srtcp, srtcpLen, rtcp, rtcpLen, 0);
}

inline srtp_err_status_t srtp_stream_remove(srtp_t session, uint32_t ssrc)
{
	return srtp_remove_stream(session, ssrc);
}
#endif /* __cplusplus */

#endif /* BRANCHLINE_SRTP_COMPAT_H */
