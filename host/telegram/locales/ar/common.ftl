# نصوص تشترك فيها كل أجزاء البوت.
something-went-wrong = حدث خطأ ما؛ حاول مرة أخرى.
wait-seconds = { $s } ث
wait-minutes = { $min } د
wait-minutes-seconds = { $min } د { $s } ث
wait-hours-minutes = { $h } س { $min } د
