# बॉट के सभी हिस्सों में साझा पाठ।
something-went-wrong = कुछ गड़बड़ हो गई; फिर से कोशिश करें।
wait-seconds = { $s } सेकंड
wait-minutes = { $min } मिनट
wait-minutes-seconds = { $min } मिनट { $s } सेकंड
wait-hours-minutes = { $h } घंटे { $min } मिनट
