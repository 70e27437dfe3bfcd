# made by workbook; re-plot with: gnuplot -p <this file>
set title 'LayerNorm + GELU against RMSNorm + SwiGLU on tiny Shakespeare' noenhanced
set xlabel 'step' noenhanced
set ylabel 'loss (nats per character)' noenhanced
set grid
set key inside top right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
0 4.141206026
20 3.316336453
40 3.240265429
60 3.327667356
80 3.229173899
100 3.30473876
120 3.365599811
EOD
$s1 << EOD
0 4.138716578
20 3.347144186
40 3.325992882
60 3.300217748
80 3.301190734
100 3.317269504
120 3.33122617
EOD
$s2 << EOD
0 4.126520872
20 3.313214481
40 3.239752769
60 3.3278023
80 3.229223371
100 3.304668486
120 3.365012169
EOD
$s3 << EOD
0 4.124890566
20 3.338178515
40 3.324191928
60 3.299968481
80 3.301987946
100 3.317335486
120 3.331189334
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'LayerNorm + GELU, train', \
    $s1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'LayerNorm + GELU, validation', \
    $s2 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'RMSNorm + SwiGLU, train', \
    $s3 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'RMSNorm + SwiGLU, validation'
