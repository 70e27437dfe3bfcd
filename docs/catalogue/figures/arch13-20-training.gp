# made by workbook; re-plot with: gnuplot -p <this file>
set title 'nanoGPT on tiny Shakespeare' noenhanced
set xlabel 'step' noenhanced
set ylabel 'cross-entropy (nats)' noenhanced
set grid
set key inside top right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
10 3.718404341
20 3.335220718
30 3.129983139
40 3.064799595
50 2.879450703
60 2.780137563
70 2.72646575
80 2.647510695
90 2.637932491
100 2.577590251
110 2.56009028
120 2.577861834
130 2.518312335
140 2.521544862
150 2.486054182
EOD
$s1 << EOD
0 4.066797733
150 4.066797733
EOD
$s2 << EOD
0 2.675836325
150 2.675836325
EOD
plot $s0 using 1:2 with lines lw 2 title 'training loss (reported by train_gpt, mean of 10 steps)', \
    $s1 using 1:2 with lines lw 2 title 'held-out, untrained (library''s GPT)', \
    $s2 using 1:2 with lines lw 2 title 'held-out, trained (library''s GPT)'
